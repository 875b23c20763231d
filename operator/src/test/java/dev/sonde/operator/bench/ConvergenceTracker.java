package dev.sonde.operator.bench;

import dev.sonde.api.v1alpha1.NetworkMonitor;
import dev.sonde.api.v1alpha1.NetworkMonitorStatus;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Watches the benchmark's NetworkMonitors (through an informer, i.e. a watch) and records, per monitor, how long
 * after a request its status reflected it. Latencies are measured from the moment the request was sent to the
 * moment the watch event arrived here.
 */
final class ConvergenceTracker implements ResourceEventHandler<NetworkMonitor> {

    /** What one request should produce in the status, and when it was sent. */
    private record Expectation(long generation, boolean settled, long sentNanos) {
    }

    /** A report carrying the monitor, written at {@code sentNanos}, whose window ends at {@code windowEnd}. */
    private record PendingReport(Instant windowEnd, long sentNanos) {
    }

    private final Map<String, Expectation> expected = new ConcurrentHashMap<>();
    private final Map<String, Deque<PendingReport>> reports = new ConcurrentHashMap<>();
    private final List<Long> latenciesNanos = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, String> readyReasons = new ConcurrentHashMap<>();

    /**
     * Expects the monitor's status to reach {@code generation} with a Ready condition ({@code settled}: and a Ready
     * reason other than ConfigPending, i.e. the agent config was compiled with or without it).
     */
    void expect(String key, long generation, boolean settled, long sentNanos) {
        expected.put(key, new Expectation(generation, settled, sentNanos));
    }

    void expectReport(String key, Instant windowEnd, long sentNanos) {
        Deque<PendingReport> waiting = reports.computeIfAbsent(key, k -> new ArrayDeque<>());
        synchronized (waiting) {
            waiting.add(new PendingReport(windowEnd, sentNanos));
        }
    }

    int pending() {
        return expected.size() + reports.values().stream().mapToInt(d -> {
            synchronized (d) {
                return d.size();
            }
        }).sum();
    }

    List<Long> latencies() {
        synchronized (latenciesNanos) {
            return new ArrayList<>(latenciesNanos);
        }
    }

    /** Ready reasons as last seen, counted: what the 500 monitors ended up as. */
    Map<String, Long> readyReasonCounts() {
        Map<String, Long> counts = new java.util.TreeMap<>();
        readyReasons.values().forEach(r -> counts.merge(r, 1L, Long::sum));
        return counts;
    }

    @Override
    public void onAdd(NetworkMonitor monitor) {
        observe(monitor);
    }

    @Override
    public void onUpdate(NetworkMonitor old, NetworkMonitor monitor) {
        observe(monitor);
    }

    @Override
    public void onDelete(NetworkMonitor monitor, boolean deletedFinalStateUnknown) {
        readyReasons.remove(key(monitor));
    }

    private void observe(NetworkMonitor monitor) {
        long now = System.nanoTime();
        String key = key(monitor);
        NetworkMonitorStatus status = monitor.getStatus();
        if (status == null) {
            return;
        }
        String reason = status.getConditions() == null ? null : status.getConditions().stream()
                .filter(c -> "Ready".equals(c.getType())).map(c -> c.getReason()).filter(Objects::nonNull)
                .findFirst().orElse(null);
        if (reason != null) {
            readyReasons.put(key, reason);
        }
        long observed = status.getObservedGeneration() == null ? 0 : status.getObservedGeneration();
        Expectation e = expected.get(key);
        if (e != null && reason != null && observed >= e.generation()
                && (!e.settled() || !"ConfigPending".equals(reason)) && expected.remove(key, e)) {
            latenciesNanos.add(Math.max(0, now - e.sentNanos()));
        }
        Deque<PendingReport> waiting = reports.get(key);
        if (waiting != null && status.getLastReportTime() != null) {
            Instant last = Instant.parse(status.getLastReportTime());
            synchronized (waiting) {
                waiting.removeIf(r -> {
                    if (!r.windowEnd().isAfter(last)) {
                        latenciesNanos.add(Math.max(0, now - r.sentNanos()));
                        return true;
                    }
                    return false;
                });
            }
        }
    }

    static String key(NetworkMonitor monitor) {
        return monitor.getMetadata().getNamespace() + "/" + monitor.getMetadata().getName();
    }
}
