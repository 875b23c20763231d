package dev.sonde.operator.monitor;

import dev.sonde.api.v1alpha1.AgentReport;
import dev.sonde.api.v1alpha1.Log2Histogram;
import dev.sonde.api.v1alpha1.MonitorWindow;
import dev.sonde.api.v1alpha1.TrafficCounters;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The exact merge of one monitor's windows across nodes: counters summed, histogram buckets added, peers summed
 * ({@link PeerRanking}), the window spanning all of them with the mean of their lengths.
 */
final class WindowMerge {

    private WindowMerge() {
    }

    /** The monitor's windows in these reports merged; null when there is no report. */
    static MergedWindow merge(ReportAggregator.MonitorKey monitor, List<AgentReport> reports, Duration interval) {
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
                windows.stream().map(MonitorWindow::getRefusedFlows).filter(java.util.Objects::nonNull)
                        .reduce(Long::sum).orElse(null));
    }

    /** The report's window end; null when absent or not a timestamp. */
    static Instant windowEnd(AgentReport report) {
        return report.getSpec() == null ? null : parse(report.getSpec().getWindowEnd());
    }

    /** Each counter summed over the windows that report it; null where none does. */
    static TrafficCounters sumCounters(List<MonitorWindow> windows) {
        TrafficCounters sum = new TrafficCounters();
        for (MonitorWindow window : windows) {
            if (window.getCounters() != null) {
                sum = sum.plus(window.getCounters());
            }
        }
        return sum;
    }

    private static Log2Histogram mergeHistograms(List<MonitorWindow> windows,
            Function<MonitorWindow, Log2Histogram> field) {
        Log2Histogram merged = null;
        for (MonitorWindow window : windows) {
            Log2Histogram h = field.apply(window);
            if (h != null) {
                merged = merged == null ? h : merged.merge(h);
            }
        }
        return merged;
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
}
