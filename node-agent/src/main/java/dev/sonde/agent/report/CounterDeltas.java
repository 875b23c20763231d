package dev.sonde.agent.report;

import dev.sonde.agent.probe.CgroupId;
import dev.sonde.agent.probe.ProbeCounters;
import java.util.HashMap;
import java.util.Map;

/**
 * Turns the kernel's cumulative per-cgroup counters into per-interval deltas.
 *
 * <p>Deltas are taken per cgroup, before anything is summed per pod or monitor: a container that goes away
 * takes its cumulative counters with it, and summing first would turn that into a negative delta. A cgroup
 * whose counters went down (its map entries were dropped and re-created) starts over from zero.
 */
public final class CounterDeltas {

    private Map<CgroupId, ProbeCounters> previous = Map.of();

    /** The change of every cgroup since the last call; cgroups seen for the first time count in full. */
    public Map<CgroupId, ProbeCounters> next(Map<CgroupId, ProbeCounters> cumulative) {
        Map<CgroupId, ProbeCounters> deltas = new HashMap<>();
        cumulative.forEach((cgroup, now) -> {
            ProbeCounters before = previous.get(cgroup);
            deltas.put(cgroup, before == null || wentBack(now, before) ? now : now.minus(before));
        });
        previous = Map.copyOf(cumulative);
        return deltas;
    }

    static boolean wentBack(ProbeCounters now, ProbeCounters before) {
        return now.activeOpens() < before.activeOpens()
                || now.passiveOpens() < before.passiveOpens()
                || now.retransmitSegments() < before.retransmitSegments()
                || now.txBytes() < before.txBytes()
                || now.rxBytes() < before.rxBytes()
                || now.txPackets() < before.txPackets()
                || now.rxPackets() < before.rxPackets()
                || now.dnsQueries() < before.dnsQueries()
                || now.connectLatency().total() < before.connectLatency().total();
    }
}
