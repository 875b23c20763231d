package dev.sonde.securemetrics;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Recent scrape decisions by token digest, so a Prometheus scraping every 15 s costs the API server two reviews a
 * minute, not eight. Bounded: past {@code maxEntries} the least recently used entry goes. Each entry lives for the
 * time given when it was put (allowed decisions longer than denied ones).
 */
final class ReviewCache {

    private record Entry(ScrapeDecision decision, long expiresAtNanos) {
    }

    private final int maxEntries;
    private final LongSupplier nanoTime;
    private final LinkedHashMap<String, Entry> entries;

    ReviewCache(int maxEntries, LongSupplier nanoTime) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be at least 1, not " + maxEntries);
        }
        this.maxEntries = maxEntries;
        this.nanoTime = nanoTime;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, ReviewCache.Entry> eldest) {
                return size() > ReviewCache.this.maxEntries;
            }
        };
    }

    synchronized Optional<ScrapeDecision> get(String key) {
        Entry entry = entries.get(key);
        if (entry == null) {
            return Optional.empty();
        }
        if (nanoTime.getAsLong() - entry.expiresAtNanos() >= 0) {
            entries.remove(key);
            return Optional.empty();
        }
        return Optional.of(entry.decision());
    }

    synchronized void put(String key, ScrapeDecision decision, Duration ttl) {
        if (ttl.isZero() || ttl.isNegative()) {
            return;
        }
        entries.put(key, new Entry(decision, nanoTime.getAsLong() + ttl.toNanos()));
    }

    synchronized int size() {
        return entries.size();
    }
}
