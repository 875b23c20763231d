package dev.sonde.api.v1alpha1;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The duration strings of Sonde's API (spec.interval, latency thresholds and status latencies), in the
 * format of Go's time.ParseDuration and CEL's duration(): a sequence of decimal numbers with units, such as
 * {@code 15s}, {@code 1m30s}, {@code 250ms} or {@code 850µs}.
 */
public final class KubeDuration {

    private static final Pattern WHOLE = Pattern.compile("([0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|μs|ms|s|m|h)");

    private static final MathContext THREE_DIGITS = new MathContext(3, RoundingMode.HALF_UP);

    private KubeDuration() {
    }

    /** Parses a non-negative duration such as {@code 1m30s}; throws IllegalArgumentException otherwise. */
    public static Duration parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty duration");
        }
        if (text.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = WHOLE.matcher(text);
        BigDecimal nanos = BigDecimal.ZERO;
        int end = 0;
        while (m.lookingAt()) {
            nanos = nanos.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(nanosPer(m.group(2)))));
            end = m.end();
            m.region(end, text.length());
        }
        if (end != text.length()) {
            throw new IllegalArgumentException("not a duration (e.g. 15s, 1m30s, 250ms): " + text);
        }
        return Duration.ofNanos(nanos.setScale(0, RoundingMode.HALF_UP).longValueExact());
    }

    /**
     * Formats like Go's Duration.String, rounded to three significant digits: 850µs,
     * 12.5ms, 1.5s, 1m30s, 2h0m0s.
     */
    /** The duration, or empty when {@code text} is null or not a duration (the schema reports those). */
    public static java.util.Optional<Duration> tryParse(String text) {
        if (text == null) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(parse(text));
        } catch (IllegalArgumentException e) {
            return java.util.Optional.empty();
        }
    }

    public static String format(Duration duration) {
        long nanos = duration.toNanos();
        if (nanos < 0) {
            throw new IllegalArgumentException("negative duration: " + duration);
        }
        if (nanos == 0) {
            return "0s";
        }
        if (nanos < 1_000) {
            return nanos + "ns";
        }
        if (nanos < 1_000_000) {
            return decimal(nanos, 1_000) + "µs";
        }
        if (nanos < 1_000_000_000) {
            return decimal(nanos, 1_000_000) + "ms";
        }
        long hours = nanos / 3_600_000_000_000L;
        long minutes = nanos / 60_000_000_000L % 60;
        String seconds = decimal(nanos % 60_000_000_000L, 1_000_000_000);
        if (hours > 0) {
            return hours + "h" + minutes + "m" + seconds + "s";
        }
        if (minutes > 0) {
            return minutes + "m" + seconds + "s";
        }
        return seconds + "s";
    }

    private static String decimal(long nanos, long unit) {
        BigDecimal value = BigDecimal.valueOf(nanos).divide(BigDecimal.valueOf(unit));
        return value.round(THREE_DIGITS).stripTrailingZeros().toPlainString();
    }

    private static long nanosPer(String unit) {
        return switch (unit) {
            case "ns" -> 1L;
            case "us", "µs", "μs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            default -> throw new IllegalArgumentException("unknown unit " + unit);
        };
    }
}
