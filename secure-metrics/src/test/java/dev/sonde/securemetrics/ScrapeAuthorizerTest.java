package dev.sonde.securemetrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ScrapeAuthorizerTest {

    private final FakeReviews reviews = new FakeReviews();
    private final AtomicLong now = new AtomicLong(1_000);
    private final ScrapeAuthorizer authorizer = new ScrapeAuthorizer(reviews, 4, now::get);

    @Test
    void noOrMalformedHeaderIs401WithoutAskingTheApiServer() {
        assertThat(authorizer.decide(null, "/metrics").status()).isEqualTo(401);
        assertThat(authorizer.decide("Basic dXNlcjpwYXNz", "/metrics").status()).isEqualTo(401);
        assertThat(authorizer.decide("Bearer ", "/metrics").status()).isEqualTo(401);
        assertThat(authorizer.decide("Bearer a b", "/metrics").status()).isEqualTo(401);
        assertThat(reviews.tokenReviews).hasValue(0);
    }

    @Test
    void invalidTokenIs401AndValidUserWithoutTheRoleIs403() {
        ScrapeDecision invalid = authorizer.decide("Bearer forged", "/metrics");
        assertThat(invalid.status()).isEqualTo(401);
        assertThat(invalid.reason()).contains("invalid bearer token");
        assertThat(reviews.accessReviews).as("no SAR for an unauthenticated token").hasValue(0);

        ScrapeDecision nobody = authorizer.decide("Bearer nobody", "/metrics");
        assertThat(nobody.status()).isEqualTo(403);
        assertThat(nobody.user()).isEqualTo("system:serviceaccount:default:nobody");
        assertThat(nobody.reason()).contains("may not get /metrics").contains("sonde-metrics-reader");
    }

    @Test
    void allowedUserIs200AndTheSchemeIsCaseInsensitive() {
        assertThat(authorizer.decide("bearer reader", "/metrics"))
                .isEqualTo(ScrapeDecision.allowed("system:serviceaccount:monitoring:prometheus"));
        // another path is another question to the authorizer
        assertThat(authorizer.decide("Bearer reader", "/other").status()).isEqualTo(403);
    }

    @Test
    void allowedDecisionsAreCachedForAMinute() {
        for (int i = 0; i < 4; i++) {
            assertThat(authorizer.decide("Bearer reader", "/metrics").isAllowed()).isTrue();
            now.addAndGet(Duration.ofSeconds(14).toNanos());
        }
        assertThat(reviews.tokenReviews).as("four scrapes within a minute").hasValue(1);
        assertThat(reviews.accessReviews).hasValue(1);

        now.addAndGet(ScrapeAuthorizer.ALLOWED_TTL.toNanos());
        reviews.allowedUsers = Set.of();
        assertThat(authorizer.decide("Bearer reader", "/metrics").status())
                .as("after the TTL the role's removal is seen").isEqualTo(403);
        assertThat(reviews.tokenReviews).hasValue(2);
    }

    @Test
    void deniedDecisionsAreCachedBrieflySoANewBindingIsSeenSoon() {
        assertThat(authorizer.decide("Bearer nobody", "/metrics").status()).isEqualTo(403);
        reviews.allowedUsers = Set.of("system:serviceaccount:default:nobody");
        now.addAndGet(ScrapeAuthorizer.DENIED_TTL.toNanos() - 1);
        assertThat(authorizer.decide("Bearer nobody", "/metrics").status()).as("still cached").isEqualTo(403);
        assertThat(reviews.tokenReviews).hasValue(1);
        now.addAndGet(1);
        assertThat(authorizer.decide("Bearer nobody", "/metrics").isAllowed()).isTrue();
        assertThat(reviews.tokenReviews).hasValue(2);
    }

    @Test
    void anUnreachableApiServerIs503AndIsNotCached() {
        assertThat(authorizer.decide("Bearer down", "/metrics").status()).isEqualTo(503);
        assertThat(authorizer.decide("Bearer down", "/metrics").status()).isEqualTo(503);
        assertThat(reviews.tokenReviews).hasValue(2);
        assertThat(authorizer.cachedDecisions()).isZero();
    }

    @Test
    void theCacheIsBounded() {
        for (int i = 0; i < 20; i++) {
            authorizer.decide("Bearer forged-" + i, "/metrics");
        }
        assertThat(authorizer.cachedDecisions()).isEqualTo(4);
    }
}
