package dev.sonde.securemetrics;

/**
 * What the metrics listener answers a scrape: 200 (serve the metrics), 401 (no or an invalid token), 403 (a valid
 * token whose user may not {@code get} the path) or 503 (the API server could not be asked; never cached).
 *
 * @param status the HTTP status
 * @param user the token's user name, empty when unknown
 * @param reason why, for the response body and the log
 */
public record ScrapeDecision(int status, String user, String reason) {

    public static ScrapeDecision allowed(String user) {
        return new ScrapeDecision(200, user, "allowed");
    }

    public static ScrapeDecision unauthenticated(String reason) {
        return new ScrapeDecision(401, "", reason);
    }

    public static ScrapeDecision forbidden(String user, String reason) {
        return new ScrapeDecision(403, user, reason);
    }

    public static ScrapeDecision unavailable(String reason) {
        return new ScrapeDecision(503, "", reason);
    }

    public boolean isAllowed() {
        return status == 200;
    }
}
