package dev.sonde.operator.monitor;

import dev.sonde.api.v1alpha1.KubeDuration;
import dev.sonde.api.v1alpha1.WindowSummary;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;

/** How a merged window reads in the status: ratios rounded to 4 decimals, rates to 3, latencies as durations. */
final class SummaryFormat {

    private SummaryFormat() {
    }

    /** The status summary of a merged window; null for none. */
    static WindowSummary summary(MergedWindow window) {
        if (window == null) {
            return null;
        }
        WindowSummary summary = new WindowSummary();
        summary.setWindowStart(window.start() == null ? null : window.start().toString());
        summary.setWindowEnd(window.end() == null ? null : window.end().toString());
        summary.setConnectionsPerSecond(rate(window.connectionsPerSecond()));
        summary.setConnectFailureRatio(ratio(window.connectFailureRatio()));
        summary.setConnectLatencyP50(duration(window.connectLatencyP50()));
        summary.setConnectLatencyP99(duration(window.connectLatencyP99()));
        summary.setRetransmitRatio(ratio(window.retransmitRatio()));
        summary.setResetsPerSecond(rate(window.resetsPerSecond()));
        summary.setDropsPerSecond(rate(window.dropsPerSecond()));
        summary.setRttP50(duration(window.rttP50()));
        summary.setRttP99(duration(window.rttP99()));
        summary.setDnsErrorRatio(ratio(window.dnsErrorRatio()));
        summary.setDnsLatencyP99(duration(window.dnsLatencyP99()));
        summary.setTransmitBytesPerSecond(rate(window.transmitBytesPerSecond()));
        summary.setReceiveBytesPerSecond(rate(window.receiveBytesPerSecond()));
        return summary;
    }

    /** A ratio as the status shows it: 4 decimals; null for none, NaN or infinity. */
    static Double ratio(Double value) {
        return round(value, 4);
    }

    private static Double rate(Double value) {
        return round(value, 3);
    }

    private static Double round(Double value, int decimals) {
        return value == null || value.isNaN() || value.isInfinite() ? null
                : BigDecimal.valueOf(value).setScale(decimals, RoundingMode.HALF_UP).doubleValue();
    }

    private static String duration(Duration duration) {
        return duration == null ? null : KubeDuration.format(duration);
    }
}
