package dev.sonde.securemetrics;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * How a metrics listener protects itself. {@code secure} (the default everywhere): HTTPS, and every scrape of the
 * metrics path needs a bearer token allowed {@code get} on it; the certificate is {@code certFile}/{@code keyFile}
 * when both are given, else self-signed. Not secure: plain HTTP and no authentication, only when asked for
 * explicitly (then no certificate may be given: it would do nothing).
 */
public record MetricsListenerOptions(boolean secure, Optional<Path> certFile, Optional<Path> keyFile) {

    public MetricsListenerOptions {
        if (certFile.isPresent() != keyFile.isPresent()) {
            throw new IllegalArgumentException("a metrics TLS certificate needs both a certificate and a key file, "
                    + "got only the " + (certFile.isPresent() ? "certificate " + certFile.get() : "key " + keyFile.get()));
        }
        if (!secure && certFile.isPresent()) {
            throw new IllegalArgumentException("a metrics TLS certificate (" + certFile.get() + ") was given but "
                    + "metrics are served insecurely (plain HTTP): drop one of the two");
        }
        for (Path file : new Path[] {certFile.orElse(null), keyFile.orElse(null)}) {
            if (file != null && !Files.isReadable(file)) {
                throw new IllegalArgumentException("metrics TLS file " + file + " does not exist or is not readable");
            }
        }
    }

    public static MetricsListenerOptions secureSelfSigned() {
        return new MetricsListenerOptions(true, Optional.empty(), Optional.empty());
    }

    public static MetricsListenerOptions insecure() {
        return new MetricsListenerOptions(false, Optional.empty(), Optional.empty());
    }

    /** {@code true} or {@code false} (any case); anything else is an error naming {@code setting}. */
    public static boolean parseSecure(String setting, String value) {
        if (value == null || value.isBlank()) {
            return true;
        }
        return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(setting + " must be true or false, not '" + value + "'");
        };
    }
}
