package dev.sonde.operator.monitor;

import dev.sonde.api.v1alpha1.AgentReport;
import dev.sonde.api.v1alpha1.MonitorWindow;
import dev.sonde.api.v1alpha1.MonitorWindowState;
import dev.sonde.api.v1alpha1.NodesStatus;
import dev.sonde.api.v1alpha1.ProbeName;
import dev.sonde.api.v1alpha1.ProbeStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Folds the nodes' AgentReports into one monitor's aggregate: which reports are fresh, which desired nodes are
 * ready, and, from the fresh ones, per-probe states ({@link ProbeRollup}) and the last window merged exactly across
 * nodes ({@link WindowMerge}). A report whose window ended more than {@value #STALE_INTERVALS} intervals ago is
 * stale: its node counts as not ready and its data is left out.
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
            // only a desired node's report or one carrying the monitor can count; don't parse the others' times
            String node = report.getSpec() == null ? null : report.getSpec().getNodeName();
            if (node == null || !desiredNodes.contains(node) && !carries(report, monitor)) {
                continue;
            }
            Instant end = WindowMerge.windowEnd(report);
            if (end != null && !end.isBefore(staleBefore)) {
                fresh.put(node, report);
            }
        }
        Map<String, MonitorWindow> rejected = new TreeMap<>();
        fresh.forEach((node, report) -> rejectedWindow(monitor, report).ifPresent(w -> rejected.put(node, w)));
        int ready = 0;
        int failed = 0;
        for (String node : desiredNodes) {
            AgentReport report = fresh.get(node);
            if (report == null || ProbeRollup.anyFailed(report, profileProbes) || rejected.containsKey(node)) {
                failed++;
            } else {
                ready++;
            }
        }
        List<AgentReport> desiredFresh = desiredNodes.stream().map(fresh::get).filter(Objects::nonNull).toList();
        List<ProbeStatus> probes = desiredFresh.isEmpty() ? List.of()
                : profileProbes.stream().map(p -> ProbeRollup.fold(p, desiredFresh)).toList();

        List<AgentReport> carrying = fresh.values().stream().filter(r -> carries(r, monitor)).toList();
        MergedWindow window = WindowMerge.merge(monitor, carrying, interval);
        Instant last = carrying.stream().map(WindowMerge::windowEnd).max(Comparator.naturalOrder())
                .orElse(desiredFresh.stream().map(WindowMerge::windowEnd).max(Comparator.naturalOrder())
                        .orElse(null));
        List<String> rejections = rejected.entrySet().stream()
                .map(e -> e.getKey() + ": " + e.getValue().getReason() + ": " + e.getValue().getMessage()).toList();
        return new Aggregate(new NodesStatus(desiredNodes.size(), ready, failed), probes, window, last, rejections);
    }

    private static boolean carries(AgentReport report, MonitorKey monitor) {
        return report.getSpec().getMonitors() != null
                && report.getSpec().getMonitors().stream().anyMatch(monitor::matches);
    }

    private static Optional<MonitorWindow> rejectedWindow(MonitorKey monitor, AgentReport report) {
        return report.getSpec().getMonitors() == null ? Optional.empty()
                : report.getSpec().getMonitors().stream()
                        .filter(w -> monitor.matches(w) && w.getState() == MonitorWindowState.FAILED).findFirst();
    }
}
