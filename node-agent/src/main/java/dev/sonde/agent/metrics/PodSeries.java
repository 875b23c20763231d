package dev.sonde.agent.metrics;

import dev.sonde.agent.pods.NodePod;
import dev.sonde.agent.probe.ProbeCounters;
import dev.sonde.api.agent.CompiledMonitor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Cumulative counts of every (monitor, selected pod) pair on this node since the agent began selecting the pod for
 * the monitor: what the exporters publish. Cardinality is bounded by {@code limit}; pairs beyond it are not
 * tracked and are counted in {@link #refused()}.
 *
 * <p>Not thread-safe: the agent loop owns it.
 */
public final class PodSeries {

    /** Identity of a series. */
    public record Key(String monitorUid, String podUid) {
    }

    /**
     * One series.
     *
     * @param monitor the monitor's current config entry (its probes decide which metrics are published)
     * @param startEpochNanos when the agent began counting for this pair: the start time of cumulative points
     * @param total everything counted since then
     */
    public record Series(CompiledMonitor monitor, NodePod pod, long startEpochNanos, ProbeCounters total) {
    }

    private final int limit;
    private final Map<Key, Series> series = new LinkedHashMap<>();
    private long refused;

    public PodSeries(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("series limit must be positive: " + limit);
        }
        this.limit = limit;
    }

    /** Adds one interval's counts of a selected pod; a newly selected pod starts a series at zero. */
    public void add(CompiledMonitor monitor, NodePod pod, ProbeCounters delta, long nowEpochNanos) {
        Key key = new Key(monitor.uid(), pod.uid());
        Series current = series.get(key);
        if (current == null) {
            if (series.size() >= limit) {
                refused++;
                return;
            }
            series.put(key, new Series(monitor, pod, nowEpochNanos, delta));
            return;
        }
        series.put(key, new Series(monitor, pod, current.startEpochNanos(),
                current.total().plus(delta)));
    }

    /** Ends every series whose pod is no longer selected by its monitor. */
    public void retain(Set<Key> live) {
        series.keySet().retainAll(live);
    }

    public List<Series> all() {
        return new ArrayList<>(series.values());
    }

    public int size() {
        return series.size();
    }

    /** How many times a new series was refused because of the limit. */
    public long refused() {
        return refused;
    }
}
