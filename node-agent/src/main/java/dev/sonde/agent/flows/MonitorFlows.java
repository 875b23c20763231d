package dev.sonde.agent.flows;

import dev.sonde.agent.probe.CgroupId;
import dev.sonde.agent.probe.FlowCounters;
import dev.sonde.api.agent.CompiledFlows;
import dev.sonde.api.agent.CompiledMonitor;
import dev.sonde.api.agent.CompiledProbe;
import dev.sonde.api.v1alpha1.ProbeName;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * One monitor's share of an interval's flows: per selected pod, per peer as the monitor may see it (several kernel
 * flows can be one peer, e.g. the pods of one workload), and what its pods' budgets refused.
 *
 * @param byPod pod UID -> peer -> counts over the interval
 * @param refusedByPod pod UID -> connections and datagrams not counted per peer (the pod was at its budget)
 */
public record MonitorFlows(Map<String, Map<Peer, FlowCounters>> byPod, Map<String, Long> refusedByPod) {

    public static final MonitorFlows NONE = new MonitorFlows(Map.of(), Map.of());

    /** The monitor's flows parameters, or null when its profile has no flows probe. */
    public static CompiledFlows flowsOf(CompiledMonitor monitor) {
        return monitor.probes().stream().filter(p -> p.name() == ProbeName.FLOWS).map(CompiledProbe::flows)
                .findFirst().orElse(null);
    }

    /**
     * @param pods the monitor's selected pods on this node: UID -> cgroups
     */
    public static MonitorFlows of(CompiledMonitor monitor, Map<String, Set<CgroupId>> pods,
            FlowDeltas.Interval interval, PeerDirectory directory) {
        CompiledFlows flows = flowsOf(monitor);
        if (flows == null) {
            return NONE;
        }
        Map<CgroupId, String> podOf = new HashMap<>();
        pods.forEach((uid, cgroups) -> cgroups.forEach(cg -> podOf.put(cg, uid)));
        PeerView view = new PeerView(monitor.namespace(), flows);
        Map<String, Map<Peer, FlowCounters>> byPod = new HashMap<>();
        interval.flows().forEach((key, delta) -> {
            String uid = podOf.get(key.cgroup());
            if (uid == null) {
                return;
            }
            Peer peer = view.of(key, directory.identify(key.peer()),
                    key.backend() == null ? null : directory.identify(key.backend()));
            byPod.computeIfAbsent(uid, u -> new HashMap<>()).merge(peer, delta, FlowCounters::plus);
        });
        Map<String, Long> refused = new HashMap<>();
        interval.refused().forEach((cgroup, n) -> {
            String uid = podOf.get(cgroup);
            if (uid != null) {
                refused.merge(uid, n, Long::sum);
            }
        });
        return new MonitorFlows(byPod, refused);
    }

    /** Connections and datagrams of all its pods not counted per peer. */
    public long refused() {
        return refusedByPod.values().stream().mapToLong(Long::longValue).sum();
    }

    /** All pods' peers together: the monitor's window on this node. */
    public Map<Peer, FlowCounters> peers() {
        Map<Peer, FlowCounters> out = new HashMap<>();
        byPod.values().forEach(m -> m.forEach((peer, c) -> out.merge(peer, c, FlowCounters::plus)));
        return out;
    }

}
