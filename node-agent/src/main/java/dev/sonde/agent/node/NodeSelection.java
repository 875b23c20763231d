package dev.sonde.agent.node;

import dev.sonde.agent.pods.NodePod;
import dev.sonde.agent.probe.CgroupId;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What the agent selected on this node at its last sync: per monitor, its pods and their cgroups.
 *
 * @param byMonitor monitor index -> selected pod uid -> the pod's cgroups
 * @param pods this node's pods by uid
 */
record NodeSelection(Map<Integer, Map<String, Set<CgroupId>>> byMonitor, Map<String, NodePod> pods) {

    static final NodeSelection NOTHING = new NodeSelection(Map.of(), Map.of());

    /** The monitor's selected pods (uid -> cgroups); empty when it selects none here. */
    Map<String, Set<CgroupId>> podsOf(int monitorIndex) {
        return byMonitor.getOrDefault(monitorIndex, Map.of());
    }

    /** Every cgroup of the monitor's selected pods. */
    Set<CgroupId> cgroupsOf(int monitorIndex) {
        Set<CgroupId> cgroups = new HashSet<>();
        podsOf(monitorIndex).values().forEach(cgroups::addAll);
        return cgroups;
    }
}
