package dev.sonde.agent.node;

import dev.sonde.agent.probe.CgroupId;
import dev.sonde.agent.probe.Probe;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What the kernel should hold (or holds): the selected cgroups with their monitor bitmasks, and the probes
 * attached.
 */
record KernelSelection(Map<CgroupId, Long> cgroups, Set<Probe> probes) {

    static final KernelSelection NOTHING = new KernelSelection(Map.of(), Set.of());

    KernelSelection {
        cgroups = Map.copyOf(cgroups);
        probes = probes.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(probes));
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
        Set<Probe> attach = EnumSet.noneOf(Probe.class);
        attach.addAll(desired.probes);
        attach.removeAll(probes);
        Set<Probe> detach = EnumSet.noneOf(Probe.class);
        detach.addAll(probes);
        detach.removeAll(desired.probes);
        return new Change(select, unselect, attach, detach);
    }

    /**
     * @param select cgroups to select or whose mask changed
     * @param unselect cgroups no monitor selects any more
     */
    record Change(Map<CgroupId, Long> select, Set<CgroupId> unselect, Set<Probe> attach, Set<Probe> detach) {
        boolean isEmpty() {
            return select.isEmpty() && unselect.isEmpty() && attach.isEmpty() && detach.isEmpty();
        }
    }
}
