package dev.sonde.agent.flows;

import dev.sonde.agent.pods.NodePod;
import dev.sonde.agent.probe.FlowCounters;
import dev.sonde.api.agent.CompiledMonitor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Cumulative counts of every (monitor, pod, peer) on this node: the flow metrics the exporters publish. Bounded by
 * {@code limit} series; new series beyond it are refused and counted. A series whose counts did not change for
 * {@link #IDLE_WINDOWS} intervals ends (its peer went away), and so does every series of a pod its monitor no longer
 * selects. One thread only.
 */
public final class FlowSeries {

    static final int IDLE_WINDOWS = FlowDeltas.IDLE_READS;

    /** A (monitor, pod): the resource the series' points belong to. */
    public record Owner(String monitorUid, String podUid) {
    }

    /**
     * @param startEpochNanos start of the cumulative points
     * @param idleWindows intervals in a row without a change
     */
    public record Series(CompiledMonitor monitor, NodePod pod, Peer peer, long startEpochNanos, FlowCounters total,
            int idleWindows) {
    }

    private final int limit;
    private final Map<Owner, Map<Peer, Series>> series = new LinkedHashMap<>();
    private final Map<Owner, long[]> refusedFlows = new LinkedHashMap<>();
    private int size;
    private long refused;

    public FlowSeries(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("flow series limit must be positive: " + limit);
        }
        this.limit = limit;
    }

    /** Adds one interval of one monitor on one pod; then call {@link #endInterval} once per interval. */
    public void add(CompiledMonitor monitor, NodePod pod, Map<Peer, FlowCounters> peers, long nowEpochNanos) {
        Map<Peer, Series> own = series.computeIfAbsent(new Owner(monitor.uid(), pod.uid()), o -> new LinkedHashMap<>());
        peers.forEach((peer, delta) -> {
            Series current = own.get(peer);
            if (current == null) {
                if (size >= limit) {
                    refused++;
                    return;
                }
                size++;
                own.put(peer, new Series(monitor, pod, peer, nowEpochNanos, delta, -1));
            } else {
                own.put(peer, new Series(monitor, pod, peer, current.startEpochNanos(), current.total().plus(delta), -1));
            }
        });
    }

    /** Adds connections and datagrams one pod's budget refused over the interval. */
    public void addRefused(CompiledMonitor monitor, NodePod pod, long n, long nowEpochNanos) {
        long[] r = refusedFlows.computeIfAbsent(new Owner(monitor.uid(), pod.uid()), o -> new long[] {nowEpochNanos, 0});
        r[1] += n;
    }

    /** What one (monitor, pod)'s budget refused since {@link #refusedSince}. */
    public long refusedFlows(String monitorUid, String podUid) {
        long[] r = refusedFlows.get(new Owner(monitorUid, podUid));
        return r == null ? 0 : r[1];
    }

    public long refusedSince(String monitorUid, String podUid, long otherwise) {
        long[] r = refusedFlows.get(new Owner(monitorUid, podUid));
        return r == null ? otherwise : r[0];
    }

    /** Ends the series of pods no longer selected and the idle ones; counts an idle interval for the others. */
    public void endInterval(Set<Owner> live) {
        series.keySet().retainAll(live);
        refusedFlows.keySet().retainAll(live);
        size = 0;
        for (Map<Peer, Series> own : series.values()) {
            own.values().removeIf(s -> s.idleWindows() + 1 >= IDLE_WINDOWS);
            own.replaceAll((peer, s) -> new Series(s.monitor(), s.pod(), peer, s.startEpochNanos(), s.total(),
                    s.idleWindows() + 1));
            size += own.size();
        }
        series.values().removeIf(Map::isEmpty);
    }

    /** The series of one (monitor, pod). */
    public List<Series> of(String monitorUid, String podUid) {
        Map<Peer, Series> own = series.get(new Owner(monitorUid, podUid));
        return own == null ? List.of() : new ArrayList<>(own.values());
    }

    public int size() {
        return size;
    }

    public long refused() {
        return refused;
    }
}
