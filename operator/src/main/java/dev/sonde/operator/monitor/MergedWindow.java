package dev.sonde.operator.monitor;

import dev.sonde.api.v1alpha1.Log2Histogram;
import dev.sonde.api.v1alpha1.PeerWindow;
import dev.sonde.api.v1alpha1.TrafficCounters;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One monitor's last window with all nodes merged exactly: counters summed, histogram buckets added.
 *
 * @param start earliest window start of the merged nodes
 * @param end latest window end of the merged nodes
 * @param length the window length rates are computed over: the mean of the nodes' window lengths
 * @param nodes how many nodes were merged
 * @param counters summed counters; a counter is null when no node reported it
 * @param connectLatency merged histogram or null
 * @param rtt merged histogram or null
 * @param dnsLatency merged histogram or null
 * @param peers the nodes' peers summed (flows), ranked {@link PeerRanking#AT_FAULT_FIRST}; empty without flows
 * @param refusedFlows connections and datagrams not counted per peer because a pod was at its flow budget, summed;
 *     null when no node reported it
 */
public record MergedWindow(Instant start, Instant end, Duration length, int nodes, TrafficCounters counters,
        Log2Histogram connectLatency, Log2Histogram rtt, Log2Histogram dnsLatency, List<PeerWindow> peers,
        Long refusedFlows) {

    public MergedWindow {
        peers = peers == null ? List.of() : List.copyOf(peers);
    }

    public Double connectFailureRatio() {
        return ratio(counters.getConnectFailures(), counters.getConnectsActive());
    }

    public Double retransmitRatio() {
        return ratio(counters.getRetransmits(), counters.getSegmentsSent());
    }

    public Double dnsErrorRatio() {
        return ratio(counters.getDnsErrors(), counters.getDnsQueries());
    }

    public Double connectionsPerSecond() {
        return rate(sum(counters.getConnectsActive(), counters.getConnectsPassive()));
    }

    public Double resetsPerSecond() {
        return rate(sum(counters.getResetsSent(), counters.getResetsReceived()));
    }

    public Double dropsPerSecond() {
        return rate(counters.getDrops());
    }

    public Double transmitBytesPerSecond() {
        return rate(counters.getBytesSent());
    }

    public Double receiveBytesPerSecond() {
        return rate(counters.getBytesReceived());
    }

    public Duration connectLatencyP50() {
        return quantile(connectLatency, 0.5);
    }

    public Duration connectLatencyP99() {
        return quantile(connectLatency, 0.99);
    }

    public Duration rttP50() {
        return quantile(rtt, 0.5);
    }

    public Duration rttP99() {
        return quantile(rtt, 0.99);
    }

    public Duration dnsLatencyP99() {
        return quantile(dnsLatency, 0.99);
    }

    private Double rate(Long count) {
        if (count == null || length.isZero()) {
            return null;
        }
        return count / (length.toNanos() / 1e9);
    }

    private static Double ratio(Long part, Long whole) {
        return part == null || whole == null || whole == 0 ? null : (double) part / whole;
    }

    private static Long sum(Long a, Long b) {
        return a == null && b == null ? null : (a == null ? 0 : a) + (b == null ? 0 : b);
    }

    /** A quantile of a microsecond histogram; null when there is no histogram or it is empty. */
    static Duration quantile(Log2Histogram histogram, double q) {
        if (histogram == null || histogram.count() == 0) {
            return null;
        }
        double micros = histogram.quantile(q);
        return Duration.ofNanos(Math.round(micros * 1000));
    }
}
