package dev.sonde.agent.node;

import dev.sonde.agent.probe.CgroupId;
import dev.sonde.agent.probe.Probe;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What the kernel should hold (or holds): the selected cgroups with their monitor bitmasks and DNS ports, and the
 * probes attached.
 *
 * @param dnsPorts per selected cgroup, the server ports its monitors' dns probes parse; absent: none
 * @param flowBudgets per selected cgroup, how many flows the kernel counts for it; absent: no flows
 */
record KernelSelection(Map<CgroupId, Long> cgroups, Map<CgroupId, Set<Integer>> dnsPorts,
        Map<CgroupId, Integer> flowBudgets, Set<Probe> probes) {

    static final KernelSelection NOTHING = new KernelSelection(Map.of(), Map.of(), Map.of(), Set.of());

    KernelSelection {
        cgroups = Map.copyOf(cgroups);
        dnsPorts = Map.copyOf(dnsPorts);
        flowBudgets = Map.copyOf(flowBudgets);
        probes = probes.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(probes));
    }

    KernelSelection withProbes(Set<Probe> attached) {
        return new KernelSelection(cgroups, dnsPorts, flowBudgets, attached);
    }

    /** The changes that take the kernel from this selection to {@code desired}. */
    Change changeTo(KernelSelection desired) {
        Map<CgroupId, Long> select = new HashMap<>();
        desired.cgroups.forEach((cgroup, mask) -> {
            if (!mask.equals(cgroups.get(cgroup))) {
                select.put(cgroup, mask);
            }
        });
        Set<CgroupId> unselect = new HashSet<>(cgroups.keySet());
        unselect.removeAll(desired.cgroups.keySet());
        Map<CgroupId, Set<Integer>> ports = new HashMap<>();
        desired.cgroups.keySet().forEach(cgroup -> {
            Set<Integer> want = desired.dnsPorts.getOrDefault(cgroup, Set.of());
            if (!want.equals(dnsPorts.getOrDefault(cgroup, Set.of()))) {
                ports.put(cgroup, want);
            }
        });
        Map<CgroupId, Integer> budgets = new HashMap<>();
        desired.cgroups.keySet().forEach(cgroup -> {
            int want = desired.flowBudgets.getOrDefault(cgroup, 0);
            if (want != flowBudgets.getOrDefault(cgroup, 0)) {
                budgets.put(cgroup, want);
            }
        });
        Set<Probe> attach = EnumSet.noneOf(Probe.class);
        attach.addAll(desired.probes);
        attach.removeAll(probes);
        Set<Probe> detach = EnumSet.noneOf(Probe.class);
        detach.addAll(probes);
        detach.removeAll(desired.probes);
        return new Change(select, unselect, ports, budgets, attach, detach);
    }

    /**
     * @param select cgroups to select or whose mask changed
     * @param unselect cgroups no monitor selects any more (their DNS ports go with them)
     * @param dnsPorts selected cgroups whose DNS ports changed, with the new ports (possibly none)
     * @param flowBudgets selected cgroups whose flow budget changed, with the new one (0: no flows)
     */
    record Change(Map<CgroupId, Long> select, Set<CgroupId> unselect, Map<CgroupId, Set<Integer>> dnsPorts,
            Map<CgroupId, Integer> flowBudgets, Set<Probe> attach, Set<Probe> detach) {
        boolean isEmpty() {
            return select.isEmpty() && unselect.isEmpty() && dnsPorts.isEmpty() && flowBudgets.isEmpty()
                    && attach.isEmpty() && detach.isEmpty();
        }
    }
}
