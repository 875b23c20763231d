package dev.sonde.securemetrics;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/** Tokens "reader" (allowed), "nobody" (authenticated, not allowed), "down" (API server unreachable). */
final class FakeReviews implements AccessReviews {

    final AtomicInteger tokenReviews = new AtomicInteger();
    final AtomicInteger accessReviews = new AtomicInteger();
    volatile Set<String> allowedUsers = Set.of("system:serviceaccount:monitoring:prometheus");

    @Override
    public Identity authenticate(String token) {
        tokenReviews.incrementAndGet();
        return switch (token) {
            case "reader" -> Identity.of("system:serviceaccount:monitoring:prometheus", "u1",
                    List.of("system:serviceaccounts"), Map.of());
            case "nobody" -> Identity.of("system:serviceaccount:default:nobody", "u2",
                    List.of("system:serviceaccounts"), Map.of());
            case "down" -> throw new IllegalStateException("connection refused");
            default -> Identity.rejected("invalid bearer token");
        };
    }

    @Override
    public Verdict authorize(Identity identity, String verb, String path) {
        accessReviews.incrementAndGet();
        boolean allowed = "get".equals(verb) && "/metrics".equals(path) && allowedUsers.contains(identity.username());
        return new Verdict(allowed, allowed ? "RBAC: allowed by ClusterRoleBinding" : "");
    }
}
