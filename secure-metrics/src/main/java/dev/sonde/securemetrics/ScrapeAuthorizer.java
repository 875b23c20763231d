package dev.sonde.securemetrics;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides a scrape from its {@code Authorization} header as kube-rbac-proxy and controller-runtime's secure metrics
 * serving do: the bearer token is authenticated with a TokenReview, then its user must be allowed {@code get} on
 * the requested path as a non-resource URL (a SubjectAccessReview; ClusterRole {@code sonde-metrics-reader}).
 * Decisions are cached by the token's SHA-256 (never the token itself): allowed ones for {@link #ALLOWED_TTL},
 * 401 and 403 for {@link #DENIED_TTL}, so a newly bound role takes effect quickly; failures to reach the API server
 * are not cached.
 */
public final class ScrapeAuthorizer {

    public static final Duration ALLOWED_TTL = Duration.ofMinutes(1);
    public static final Duration DENIED_TTL = Duration.ofSeconds(10);
    /** Distinct tokens remembered at most: a few Prometheus replicas and people's curls, not an attacker's spray. */
    public static final int MAX_ENTRIES = 256;
    static final String VERB = "get";

    private static final Logger LOG = LoggerFactory.getLogger(ScrapeAuthorizer.class);

    private final AccessReviews reviews;
    private final ReviewCache cache;

    public ScrapeAuthorizer(AccessReviews reviews) {
        this(reviews, MAX_ENTRIES, System::nanoTime);
    }

    ScrapeAuthorizer(AccessReviews reviews, int maxEntries, LongSupplier nanoTime) {
        this.reviews = reviews;
        this.cache = new ReviewCache(maxEntries, nanoTime);
    }

    /**
     * @param authorization the request's {@code Authorization} header, null when absent
     * @param path the request's path, the non-resource URL the SubjectAccessReview asks about
     */
    public ScrapeDecision decide(String authorization, String path) {
        Optional<String> token = bearerToken(authorization);
        if (token.isEmpty()) {
            return ScrapeDecision.unauthenticated(authorization == null
                    ? "no Authorization header: send a ServiceAccount token as 'Authorization: Bearer <token>'"
                    : "the Authorization header is not 'Bearer <token>'");
        }
        String key = digest(token.get()) + " " + path;
        Optional<ScrapeDecision> cached = cache.get(key);
        if (cached.isPresent()) {
            return cached.get();
        }
        ScrapeDecision decision;
        try {
            decision = review(token.get(), path);
        } catch (RuntimeException e) {
            LOG.warn("cannot review a scrape's token with the API server: {}", e.toString());
            return ScrapeDecision.unavailable("cannot review the token with the API server: " + e.getMessage());
        }
        cache.put(key, decision, decision.isAllowed() ? ALLOWED_TTL : DENIED_TTL);
        if (!decision.isAllowed()) {
            LOG.info("scrape of {} refused ({}): {}", path, decision.status(),
                    decision.user().isEmpty() ? decision.reason() : decision.user() + ": " + decision.reason());
        }
        return decision;
    }

    private ScrapeDecision review(String token, String path) {
        AccessReviews.Identity identity = reviews.authenticate(token);
        if (!identity.authenticated()) {
            return ScrapeDecision.unauthenticated("the token is not valid"
                    + (identity.error().isEmpty() ? "" : ": " + identity.error()));
        }
        AccessReviews.Verdict verdict = reviews.authorize(identity, VERB, path);
        if (!verdict.allowed()) {
            return ScrapeDecision.forbidden(identity.username(), identity.username() + " may not " + VERB + " "
                    + path + " (bind the ClusterRole sonde-metrics-reader)"
                    + (verdict.reason().isEmpty() ? "" : ": " + verdict.reason()));
        }
        return ScrapeDecision.allowed(identity.username());
    }

    /** The token of {@code Bearer <token>} (scheme case-insensitive, as RFC 6750 allows). */
    static Optional<String> bearerToken(String authorization) {
        if (authorization == null) {
            return Optional.empty();
        }
        String value = authorization.strip();
        if (value.length() <= 7 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        String token = value.substring(7).strip();
        return token.isEmpty() || token.contains(" ") ? Optional.empty() : Optional.of(token);
    }

    private static String digest(String token) {
        try {
            return HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    int cachedDecisions() {
        return cache.size();
    }
}
