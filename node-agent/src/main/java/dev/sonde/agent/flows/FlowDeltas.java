package dev.sonde.agent.flows;

import dev.sonde.agent.probe.CgroupId;
import dev.sonde.agent.probe.FlowCounters;
import dev.sonde.agent.probe.FlowKey;
import dev.sonde.agent.probe.FlowTable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the kernel's cumulative flow counters into per-interval deltas, and finds the flows that went idle: no
 * change for {@link #IDLE_READS} reads in a row. Those are to be deleted from the kernel (freeing their pod's
 * budget); the agent forgets them with {@link #forget}. One thread only.
 */
public final class FlowDeltas {

    /** Reads without a change after which a flow is idle: 20 reads, 5 minutes at the default 15 s interval. */
    public static final int IDLE_READS = 20;

    /**
     * @param flows what each flow counted since the previous read (flows that counted nothing are absent)
     * @param refused per flows-selected cgroup, connections and datagrams refused at its budget since the last read
     * @param idle flows unchanged for {@link #IDLE_READS} reads
     */
    public record Interval(Map<FlowKey, FlowCounters> flows, Map<CgroupId, Long> refused, List<FlowKey> idle) {
    }

    private final Map<FlowKey, FlowCounters> last = new HashMap<>();
    private final Map<FlowKey, Integer> unchanged = new HashMap<>();
    private final Map<CgroupId, Long> lastRefused = new HashMap<>();

    public Interval next(FlowTable.Reading reading) {
        Map<FlowKey, FlowCounters> deltas = new HashMap<>();
        List<FlowKey> idle = new ArrayList<>();
        reading.flows().forEach((key, total) -> {
            FlowCounters delta = total.minus(last.getOrDefault(key, FlowCounters.ZERO));
            last.put(key, total);
            if (delta.isZero()) {
                if (unchanged.merge(key, 1, Integer::sum) >= IDLE_READS) {
                    idle.add(key);
                }
            } else {
                unchanged.remove(key);
                deltas.put(key, delta);
            }
        });
        // flows the kernel no longer has (their pod was unselected): nothing more to count
        last.keySet().retainAll(reading.flows().keySet());
        unchanged.keySet().retainAll(reading.flows().keySet());
        Map<CgroupId, Long> refused = new HashMap<>();
        reading.budgets().forEach((cgroup, budget) -> {
            long d = budget.refused() - lastRefused.getOrDefault(cgroup, 0L);
            lastRefused.put(cgroup, budget.refused());
            if (d > 0) {
                refused.put(cgroup, d);
            }
        });
        lastRefused.keySet().retainAll(reading.budgets().keySet());
        return new Interval(deltas, refused, idle);
    }

    /** After the idle flows were deleted from the kernel: a flow that comes back counts from zero. */
    public void forget(List<FlowKey> expired) {
        expired.forEach(k -> {
            last.remove(k);
            unchanged.remove(k);
        });
    }
}
