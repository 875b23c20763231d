package dev.sonde.operator.monitor;

import dev.sonde.api.v1alpha1.DurationThreshold;
import dev.sonde.api.v1alpha1.HealthReason;
import dev.sonde.api.v1alpha1.HealthState;
import dev.sonde.api.v1alpha1.HealthThresholds;
import dev.sonde.api.v1alpha1.KubeDuration;
import dev.sonde.api.v1alpha1.PeerWindow;
import dev.sonde.api.v1alpha1.RateThreshold;
import dev.sonde.api.v1alpha1.RatioThreshold;
import dev.sonde.api.v1alpha1.TrafficCounters;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * Judges a merged window against a profile's thresholds. A threshold trips when the value is above its level;
 * a value that could not be measured (no connects, no DNS queries) is not judged. No window: Unknown. With flows, a
 * tripped connect failure, retransmit or reset threshold names the peer that contributes most, and its share.
 */
public final class HealthEvaluator {

    private HealthEvaluator() {
    }

    /** Health and the thresholds that tripped, worst first. */
    public record Health(HealthState state, List<HealthReason> reasons) {
    }

    public static Health evaluate(HealthThresholds thresholds, MergedWindow window) {
        if (window == null) {
            return new Health(HealthState.UNKNOWN, List.of());
        }
        List<HealthReason> reasons = new ArrayList<>();
        if (thresholds != null) {
            TrafficCounters c = window.counters();
            ratio(reasons, "retransmitRatio", "retransmit ratio", thresholds.getRetransmitRatio(),
                    window.retransmitRatio(), new PeerShare("of retransmits go to",
                            p -> PeerRanking.count(p.getRetransmits()), c.getRetransmits(), window.peers()));
            ratio(reasons, "connectFailureRatio", "connect failure ratio", thresholds.getConnectFailureRatio(),
                    window.connectFailureRatio(), new PeerShare("of failed connects go to",
                            p -> PeerRanking.count(p.getConnectFailures()), c.getConnectFailures(), window.peers()));
            ratio(reasons, "dnsErrorRatio", "DNS error ratio", thresholds.getDnsErrorRatio(), window.dnsErrorRatio(),
                    null);
            latency(reasons, "connectLatencyP99", "connect latency p99", thresholds.getConnectLatencyP99(),
                    window.connectLatencyP99());
            latency(reasons, "dnsLatencyP99", "DNS latency p99", thresholds.getDnsLatencyP99(),
                    window.dnsLatencyP99());
            Long resets = c.getResetsSent() == null && c.getResetsReceived() == null ? null
                    : PeerRanking.count(c.getResetsSent()) + PeerRanking.count(c.getResetsReceived());
            rate(reasons, "resetRate", "reset rate", thresholds.getResetRate(), window.resetsPerSecond(),
                    new PeerShare("of resets are with", PeerRanking::resets, resets, window.peers()));
            rate(reasons, "dropRate", "drop rate", thresholds.getDropRate(), window.dropsPerSecond(), null);
        }
        reasons.sort((a, b) -> Integer.compare(rank(b.getLevel()), rank(a.getLevel())));
        HealthState state = reasons.isEmpty() ? HealthState.HEALTHY : reasons.getFirst().getLevel();
        return new Health(state, reasons);
    }

    private static int rank(HealthState state) {
        return state == HealthState.CRITICAL ? 2 : state == HealthState.DEGRADED ? 1 : 0;
    }

    /**
     * How to name the peer behind a tripped threshold (flows): the peer with the most of {@code perPeer}, and its
     * share of the window's {@code total} from the monitor's own counters.
     */
    private record PeerShare(String words, ToLongFunction<PeerWindow> perPeer, Long total, List<PeerWindow> peers) {

        /** " — 100% of failed connects go to Service demo/inventory:8080", or "" when no peer had any. */
        String blame() {
            PeerWindow peer = PeerRanking.most(peers, perPeer);
            if (peer == null || total == null || total == 0) {
                return "";
            }
            return " \u2014 " + percent((double) perPeer.applyAsLong(peer) / total) + " " + words + " "
                    + PeerNames.describe(peer);
        }
    }

    private static void ratio(List<HealthReason> reasons, String threshold, String words, RatioThreshold levels,
            Double value, PeerShare share) {
        if (levels == null || value == null) {
            return;
        }
        trip(reasons, threshold, words, value, levels.getDegraded(), levels.getCritical(), HealthEvaluator::percent,
                share);
    }

    private static void rate(List<HealthReason> reasons, String threshold, String words, RateThreshold levels,
            Double value, PeerShare share) {
        if (levels == null || value == null) {
            return;
        }
        trip(reasons, threshold, words, value, levels.getDegraded(), levels.getCritical(),
                v -> plain(v) + "/s", share);
    }

    private static void trip(List<HealthReason> reasons, String threshold, String words, double value,
            Double degraded, Double critical, java.util.function.DoubleFunction<String> show, PeerShare share) {
        HealthState level = critical != null && value > critical ? HealthState.CRITICAL
                : degraded != null && value > degraded ? HealthState.DEGRADED : null;
        if (level == null) {
            return;
        }
        double limit = level == HealthState.CRITICAL ? critical : degraded;
        reasons.add(new HealthReason(threshold, level, plain(value), plain(limit),
                words + " " + show.apply(value) + " is above the " + levelWord(level) + " level " + show.apply(limit)
                        + (share == null ? "" : share.blame())));
    }

    private static void latency(List<HealthReason> reasons, String threshold, String words, DurationThreshold levels,
            Duration value) {
        if (levels == null || value == null) {
            return;
        }
        Duration degraded = parse(levels.getDegraded());
        Duration critical = parse(levels.getCritical());
        HealthState level = critical != null && value.compareTo(critical) > 0 ? HealthState.CRITICAL
                : degraded != null && value.compareTo(degraded) > 0 ? HealthState.DEGRADED : null;
        if (level == null) {
            return;
        }
        String limit = level == HealthState.CRITICAL ? levels.getCritical() : levels.getDegraded();
        String observed = KubeDuration.format(value);
        reasons.add(new HealthReason(threshold, level, observed, limit,
                words + " " + observed + " is above the " + levelWord(level) + " level " + limit));
    }

    private static Duration parse(String text) {
        return KubeDuration.tryParse(text).orElse(null);
    }

    private static String levelWord(HealthState level) {
        return level == HealthState.CRITICAL ? "critical" : "degraded";
    }

    private static String percent(double ratio) {
        return plain(ratio * 100) + "%";
    }

    /** Up to 4 significant decimals, no trailing zeros: 0.031, 2, 3.1. */
    static String plain(double value) {
        return new BigDecimal(value).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString();
    }
}
