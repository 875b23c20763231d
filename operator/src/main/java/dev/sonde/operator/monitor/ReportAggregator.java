package dev.sonde.operator.monitor;

import dev.sonde.api.v1alpha1.AgentReport;
import dev.sonde.api.v1alpha1.KubeDuration;
import dev.sonde.api.v1alpha1.Log2Histogram;
import dev.sonde.api.v1alpha1.MonitorWindow;
import dev.sonde.api.v1alpha1.MonitorWindowState;
import dev.sonde.api.v1alpha1.NodeProbeState;
import dev.sonde.api.v1alpha1.NodeProbeStatus;
import dev.sonde.api.v1alpha1.NodesStatus;
import dev.sonde.api.v1alpha1.ProbeName;
import dev.sonde.api.v1alpha1.ProbeState;
import dev.sonde.api.v1alpha1.ProbeStatus;
import dev.sonde.api.v1alpha1.TrafficCounters;
import dev.sonde.api.v1alpha1.WindowSummary;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Folds the nodes' AgentReports into one monitor's status: which desired nodes are ready, per-probe states,
 * and the last window merged exactly across nodes. A report whose window ended more than
 * {@value #STALE_INTERVALS} intervals ago is stale: its node counts as not ready and its data is left out.
 */
public final class ReportAggregator {

    public static final int STALE_INTERVALS = 3;

    private ReportAggregator() {
    }

    /** Who the monitor is, as the agents name it in their reports. */
    public record MonitorKey(String namespace, String name, String uid) {

        boolean matches(MonitorWindow window) {
            if (window.getUid() != null && uid != null) {
                return window.getUid().equals(uid);
            }
            return namespace.equals(window.getNamespace()) && name.equals(window.getName());
        }
    }

    /**
     * The aggregate.
     *
     * @param nodes desired/ready/failed
     * @param probes per-probe state over the desired nodes with a fresh report; empty when there is none
     * @param window the merged window, or null when no fresh report carries the monitor
     * @param lastReportTime the newest window end among the fresh reports folded in, or null
     * @param rejections per node whose agent can't run the monitor's config entry: "node: Reason: message", sorted
     */
    public record Aggregate(NodesStatus nodes, List<ProbeStatus> probes, MergedWindow window, Instant lastReportTime,
            List<String> rejections) {
    }

    public static Aggregate aggregate(MonitorKey monitor, List<ProbeName> profileProbes, Duration interval,
            Set<String> desiredNodes, Collection<AgentReport> reports, Instant now) {
        Instant staleBefore = now.minus(interval.multipliedBy(STALE_INTERVALS));
        Map<String, AgentReport> fresh = new TreeMap<>();
        for (AgentReport report : reports) {
            Instant end = windowEnd(report);
            if (report.getSpec() != null && end != null && !end.isBefore(staleBefore)) {
                fresh.put(report.getSpec().getNodeName(), report);
            }
        }
        Map<String, MonitorWindow> rejected = new TreeMap<>();
        fresh.forEach((node, report) -> rejectedWindow(monitor, report).ifPresent(w -> rejected.put(node, w)));
        int ready = 0;
        int failed = 0;
        for (String node : desiredNodes) {
            AgentReport report = fresh.get(node);
            if (report == null || anyFailed(report, profileProbes) || rejected.containsKey(node)) {
                failed++;
            } else {
                ready++;
            }
        }
        List<AgentReport> desiredFresh = desiredNodes.stream().map(fresh::get).filter(Objects::nonNull).toList();
        List<ProbeStatus> probes = desiredFresh.isEmpty() ? List.of()
                : profileProbes.stream().map(p -> probeStatus(p, desiredFresh)).toList();

        List<AgentReport> carrying = fresh.values().stream()
                .filter(r -> r.getSpec().getMonitors() != null
                        && r.getSpec().getMonitors().stream().anyMatch(monitor::matches))
                .toList();
        MergedWindow window = merge(monitor, carrying, interval);
        Instant last = carrying.stream().map(ReportAggregator::windowEnd).max(Comparator.naturalOrder())
                .orElse(desiredFresh.stream().map(ReportAggregator::windowEnd).max(Comparator.naturalOrder())
                        .orElse(null));
        List<String> rejections = rejected.entrySet().stream()
                .map(e -> e.getKey() + ": " + e.getValue().getReason() + ": " + e.getValue().getMessage()).toList();
        return new Aggregate(new NodesStatus(desiredNodes.size(), ready, failed), probes, window, last, rejections);
    }

    private static Optional<MonitorWindow> rejectedWindow(MonitorKey monitor, AgentReport report) {
        return report.getSpec().getMonitors() == null ? Optional.empty()
                : report.getSpec().getMonitors().stream()
                        .filter(w -> monitor.matches(w) && w.getState() == MonitorWindowState.FAILED).findFirst();
    }

    static MergedWindow merge(MonitorKey monitor, List<AgentReport> reports, Duration interval) {
        if (reports.isEmpty()) {
            return null;
        }
        List<MonitorWindow> windows = new ArrayList<>();
        Instant start = null;
        Instant end = null;
        long totalNanos = 0;
        int lengths = 0;
        for (AgentReport report : reports) {
            report.getSpec().getMonitors().stream().filter(monitor::matches).forEach(windows::add);
            Instant s = parse(report.getSpec().getWindowStart());
            Instant e = windowEnd(report);
            if (s != null && (start == null || s.isBefore(start))) {
                start = s;
            }
            if (e != null && (end == null || e.isAfter(end))) {
                end = e;
            }
            if (s != null && e != null && e.isAfter(s)) {
                totalNanos += Duration.between(s, e).toNanos();
                lengths++;
            }
        }
        Duration length = lengths == 0 ? interval : Duration.ofNanos(totalNanos / lengths);
        return new MergedWindow(start, end, length, reports.size(), sumCounters(windows),
                mergeHistograms(windows, MonitorWindow::getConnectLatency),
                mergeHistograms(windows, MonitorWindow::getRtt),
                mergeHistograms(windows, MonitorWindow::getDnsLatency),
                PeerRanking.merge(windows),
                windows.stream().map(MonitorWindow::getRefusedFlows).reduce(null, ReportAggregator::add));
    }

    static TrafficCounters sumCounters(List<MonitorWindow> windows) {
        TrafficCounters sum = new TrafficCounters();
        for (MonitorWindow window : windows) {
            TrafficCounters c = window.getCounters();
            if (c == null) {
                continue;
            }
            sum.setConnectsActive(add(sum.getConnectsActive(), c.getConnectsActive()));
            sum.setConnectsPassive(add(sum.getConnectsPassive(), c.getConnectsPassive()));
            sum.setConnectFailures(add(sum.getConnectFailures(), c.getConnectFailures()));
            sum.setSegmentsSent(add(sum.getSegmentsSent(), c.getSegmentsSent()));
            sum.setRetransmits(add(sum.getRetransmits(), c.getRetransmits()));
            sum.setResetsSent(add(sum.getResetsSent(), c.getResetsSent()));
            sum.setResetsReceived(add(sum.getResetsReceived(), c.getResetsReceived()));
            sum.setBytesSent(add(sum.getBytesSent(), c.getBytesSent()));
            sum.setBytesReceived(add(sum.getBytesReceived(), c.getBytesReceived()));
            sum.setPacketsSent(add(sum.getPacketsSent(), c.getPacketsSent()));
            sum.setPacketsReceived(add(sum.getPacketsReceived(), c.getPacketsReceived()));
            sum.setDrops(add(sum.getDrops(), c.getDrops()));
            sum.setDnsQueries(add(sum.getDnsQueries(), c.getDnsQueries()));
            sum.setDnsErrors(add(sum.getDnsErrors(), c.getDnsErrors()));
        }
        return sum;
    }

    private static Log2Histogram mergeHistograms(List<MonitorWindow> windows,
            Function<MonitorWindow, Log2Histogram> field) {
        BiFunction<Log2Histogram, Log2Histogram, Log2Histogram> merge = (a, b) -> a == null ? b : a.merge(b);
        Log2Histogram merged = null;
        for (MonitorWindow window : windows) {
            Log2Histogram h = field.apply(window);
            if (h != null) {
                merged = merge.apply(merged, h);
            }
        }
        return merged;
    }

    /** The status summary of a merged window: ratios rounded to 4 decimals, rates to 3, latencies as durations. */
    public static WindowSummary summary(MergedWindow window) {
        if (window == null) {
            return null;
        }
        WindowSummary summary = new WindowSummary();
        summary.setWindowStart(window.start() == null ? null : window.start().toString());
        summary.setWindowEnd(window.end() == null ? null : window.end().toString());
        summary.setConnectionsPerSecond(round(window.connectionsPerSecond(), 3));
        summary.setConnectFailureRatio(round(window.connectFailureRatio(), 4));
        summary.setConnectLatencyP50(format(window.connectLatencyP50()));
        summary.setConnectLatencyP99(format(window.connectLatencyP99()));
        summary.setRetransmitRatio(round(window.retransmitRatio(), 4));
        summary.setResetsPerSecond(round(window.resetsPerSecond(), 3));
        summary.setDropsPerSecond(round(window.dropsPerSecond(), 3));
        summary.setRttP50(format(window.rttP50()));
        summary.setRttP99(format(window.rttP99()));
        summary.setDnsErrorRatio(round(window.dnsErrorRatio(), 4));
        summary.setDnsLatencyP99(format(window.dnsLatencyP99()));
        summary.setTransmitBytesPerSecond(round(window.transmitBytesPerSecond(), 3));
        summary.setReceiveBytesPerSecond(round(window.receiveBytesPerSecond(), 3));
        return summary;
    }

    private static ProbeStatus probeStatus(ProbeName probe, List<AgentReport> reports) {
        int attached = 0;
        int unsupported = 0;
        int failedNodes = 0;
        String example = null;
        for (AgentReport report : reports) {
            Optional<NodeProbeStatus> state = probeOn(report, probe);
            NodeProbeState s = state.map(NodeProbeStatus::getState).orElse(null);
            if (s == NodeProbeState.ATTACHED) {
                attached++;
                continue;
            }
            if (s == NodeProbeState.UNSUPPORTED) {
                unsupported++;
            } else if (s == NodeProbeState.FAILED) {
                failedNodes++;
            }
            if (example == null && s != null && s != NodeProbeState.DETACHED) {
                NodeProbeStatus st = state.get();
                example = report.getSpec().getNodeName() + ": "
                        + Optional.ofNullable(st.getReason()).orElse(String.valueOf(s))
                        + (st.getMessage() == null ? "" : ": " + st.getMessage());
            }
        }
        ProbeState overall = failedNodes > 0 ? ProbeState.FAILED
                : unsupported > 0 ? ProbeState.UNSUPPORTED : ProbeState.ATTACHED;
        return new ProbeStatus(probe, overall, attached, unsupported, failedNodes,
                overall == ProbeState.ATTACHED ? null : example);
    }

    private static boolean anyFailed(AgentReport report, List<ProbeName> probes) {
        return probes.stream().map(p -> probeOn(report, p))
                .anyMatch(s -> s.map(NodeProbeStatus::getState).orElse(null) == NodeProbeState.FAILED);
    }

    private static Optional<NodeProbeStatus> probeOn(AgentReport report, ProbeName probe) {
        return report.getSpec().getProbes() == null ? Optional.empty()
                : report.getSpec().getProbes().stream().filter(s -> s.getName() == probe).findFirst();
    }

    static Instant windowEnd(AgentReport report) {
        return report.getSpec() == null ? null : parse(report.getSpec().getWindowEnd());
    }

    private static Instant parse(String time) {
        if (time == null) {
            return null;
        }
        try {
            return Instant.parse(time);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static Long add(Long a, Long b) {
        if (b == null) {
            return a;
        }
        return a == null ? b : Long.valueOf(a + b);
    }

    static Double round(Double value, int decimals) {
        return value == null || value.isNaN() || value.isInfinite() ? null
                : BigDecimal.valueOf(value).setScale(decimals, RoundingMode.HALF_UP).doubleValue();
    }

    static String format(Duration duration) {
        return duration == null ? null : KubeDuration.format(duration);
    }

}
