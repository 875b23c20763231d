package dev.sonde.securemetrics;

import java.util.List;
import java.util.Map;

/**
 * The two questions the metrics listener asks the API server: who a bearer token belongs to (TokenReview) and
 * whether that user may do a verb on a non-resource URL (SubjectAccessReview). {@link KubernetesAccessReviews}
 * asks a real API server; tests may answer themselves.
 */
public interface AccessReviews {

    /** A TokenReview's answer: the user when {@code authenticated}, else the API server's error (may be empty). */
    record Identity(boolean authenticated, String username, String uid, List<String> groups,
            Map<String, List<String>> extra, String error) {

        public static Identity of(String username, String uid, List<String> groups, Map<String, List<String>> extra) {
            return new Identity(true, username, uid, List.copyOf(groups), Map.copyOf(extra), "");
        }

        public static Identity rejected(String error) {
            return new Identity(false, "", "", List.of(), Map.of(), error);
        }
    }

    /** A SubjectAccessReview's answer, with the authorizer's reason (may be empty). */
    record Verdict(boolean allowed, String reason) {
    }

    /**
     * @throws RuntimeException when the API server could not be asked (the caller answers 503 and caches nothing)
     */
    Identity authenticate(String token);

    /**
     * @throws RuntimeException when the API server could not be asked
     */
    Verdict authorize(Identity identity, String verb, String path);
}
