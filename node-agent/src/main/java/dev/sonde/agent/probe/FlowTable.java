package dev.sonde.agent.probe;

import dev.sonde.agent.bpf.BpfMap;
import dev.sonde.agent.bpf.TypedMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The flows probe's kernel maps: the per-pod flow budgets (whose entries are the flows selection), and the flows
 * themselves, read as cumulative counters and deleted when they go idle. Not thread-safe: {@link KernelProbes}
 * serialises.
 */
public final class FlowTable {

    /** A pod's flow budget as the kernel holds it: its limit, the flows it has, what it refused at the limit. */
    public record Budget(long limit, long used, long refused) {
    }

    /** One read: every flow's cumulative counters, and every flows-selected pod's budget. */
    public record Reading(Map<FlowKey, FlowCounters> flows, Map<CgroupId, Budget> budgets) {
    }

    private final TypedMap<FlowKey, FlowCounters> flows;
    private final TypedMap<CgroupId, Budget> budgets;

    FlowTable(BpfMap flows, BpfMap budgets) {
        this.flows = TypedMap.of(flows, KernelCodecs.FLOW_KEY, KernelCodecs.flowCounters(flows));
        this.budgets = TypedMap.of(budgets, KernelCodecs.CGROUP, KernelCodecs.FLOW_BUDGET);
    }

    /** Counts this pod's flows from now on, at most {@code maxFlows} at a time; keeps what it already counted. */
    void select(CgroupId cgroup, int maxFlows) {
        Budget current = budgets.lookup(cgroup);
        if (current == null) {
            budgets.update(cgroup, new Budget(maxFlows, 0, 0), BpfMap.UpdateMode.NOEXIST);
        } else {
            budgets.update(cgroup, new Budget(maxFlows, current.used(), current.refused()), BpfMap.UpdateMode.EXIST);
        }
    }

    /** Stops counting these pods' flows and deletes them from the kernel, in one pass over the flows map. */
    void unselect(Set<CgroupId> cgroups) {
        cgroups.forEach(budgets::delete);
        List<FlowKey> gone = new ArrayList<>();
        flows.forEach((k, v) -> {
            if (cgroups.contains(k.cgroup())) {
                gone.add(k);
            }
        });
        gone.forEach(flows::delete);
    }

    Reading read() {
        Map<FlowKey, FlowCounters> out = new LinkedHashMap<>();
        flows.forEach(out::put);
        return new Reading(out, budgets.readAll());
    }

    /**
     * Deletes idle flows (their last counts are what the agent read last) and gives their pods' budgets back what
     * was deleted: each budget's used count goes down by its pod's flows deleted here, so no pass over the whole
     * flows map is needed. An event between the agent's last read and this delete is lost; the next event of the
     * flow starts it again from zero. Flows the kernel creates between this method's lookup and update of a
     * budget (microseconds) are not counted in used: the pod may hold that many more than its limit until they
     * expire. The memory bound is the flows map's size, which holds regardless.
     */
    void expire(Collection<FlowKey> idle) {
        Map<CgroupId, Long> deleted = new HashMap<>();
        for (FlowKey k : idle) {
            if (flows.delete(k)) {
                deleted.merge(k.cgroup(), 1L, Long::sum);
            }
        }
        deleted.forEach((cgroup, count) -> {
            Budget current = budgets.lookup(cgroup);
            if (current == null) {
                return; // unselected meanwhile: its budget and flows are gone
            }
            // false: unselected meanwhile, nothing to correct
            budgets.update(cgroup, new Budget(current.limit(), Math.max(0, current.used() - count), current.refused()),
                    BpfMap.UpdateMode.EXIST);
        });
    }
}
