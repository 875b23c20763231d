package dev.sonde.securemetrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ReviewCacheTest {

    private final AtomicLong now = new AtomicLong();

    @Test
    void leastRecentlyUsedEntryGoesFirst() {
        ReviewCache cache = new ReviewCache(2, now::get);
        cache.put("a", ScrapeDecision.allowed("a"), Duration.ofMinutes(1));
        cache.put("b", ScrapeDecision.allowed("b"), Duration.ofMinutes(1));
        assertThat(cache.get("a")).isPresent(); // a is now the most recently used
        cache.put("c", ScrapeDecision.allowed("c"), Duration.ofMinutes(1));
        assertThat(cache.get("b")).isEmpty();
        assertThat(cache.get("a")).isPresent();
        assertThat(cache.get("c")).isPresent();
    }

    @Test
    void entriesExpireAndAreRemoved() {
        ReviewCache cache = new ReviewCache(8, now::get);
        cache.put("a", ScrapeDecision.unauthenticated("x"), Duration.ofSeconds(10));
        now.set(Duration.ofSeconds(10).toNanos() - 1);
        assertThat(cache.get("a")).isPresent();
        now.set(Duration.ofSeconds(10).toNanos());
        assertThat(cache.get("a")).isEmpty();
        assertThat(cache.size()).isZero();
    }

    @Test
    void zeroTtlIsNotStoredAndZeroSizeIsRefused() {
        ReviewCache cache = new ReviewCache(8, now::get);
        cache.put("a", ScrapeDecision.allowed("a"), Duration.ZERO);
        assertThat(cache.size()).isZero();
        assertThatThrownBy(() -> new ReviewCache(0, now::get)).isInstanceOf(IllegalArgumentException.class);
    }
}
