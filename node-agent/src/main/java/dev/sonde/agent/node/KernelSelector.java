package dev.sonde.agent.node;

import dev.sonde.agent.pods.MonitorSelection;
import dev.sonde.agent.pods.NodePod;
import dev.sonde.agent.pods.PodCgroupResolver;
import dev.sonde.agent.pods.PodCgroupWatch;
import dev.sonde.agent.pods.PodCgroups;
import dev.sonde.agent.probe.CgroupId;
import dev.sonde.agent.probe.KernelProbes;
import dev.sonde.agent.probe.Probe;
import dev.sonde.api.agent.CompiledMonitor;
import java.time.Instant;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the kernel's selection equal to what the monitors ask for this node's pods: resolves the selected pods'
 * cgroups, diffs against what the kernel holds, and selects, unselects and attaches accordingly. One thread only.
 */
final class KernelSelector implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KernelSelector.class);

    private final KernelProbes probes;
    private final PodCgroupWatch cgroups;
    private KernelSelection applied = KernelSelection.NOTHING;
    private final Set<CgroupId> unselected = new HashSet<>();
    private boolean probesChanged = true;

    KernelSelector(KernelProbes probes, PodCgroupResolver resolver) {
        this.probes = probes;
        this.cgroups = new PodCgroupWatch(resolver);
    }

    /** Whether a selected pod's cgroups may have changed, so {@link #sync} should run even if nothing else did. */
    boolean cgroupsDue(Instant now) {
        return cgroups.due(now);
    }

    /** Brings the kernel to what {@code monitors} select among {@code pods}; returns what is selected now. */
    NodeSelection sync(Collection<CompiledMonitor> monitors, Map<String, String> nodeLabels, Collection<NodePod> pods) {
        MonitorSelection selection = MonitorSelection.compute(monitors, nodeLabels, pods);
        Map<String, NodePod> byUid = new HashMap<>();
        pods.forEach(pod -> byUid.put(pod.uid(), pod));
        Map<String, Set<CgroupId>> cgroupsByPod = new HashMap<>();
        Map<CgroupId, Long> masks = new HashMap<>();
        Map<CgroupId, Set<Integer>> dnsPorts = new HashMap<>();
        Map<CgroupId, Integer> flowBudgets = new HashMap<>();
        selection.masks().forEach((uid, mask) -> {
            PodCgroups pod = cgroups.resolve(uid, byUid.get(uid).qos());
            cgroupsByPod.put(uid, pod.ids());
            pod.ids().forEach(id -> masks.merge(id, mask, (a, b) -> a | b));
            Set<Integer> ports = dnsPortsWithinBound(uid, selection.dnsPorts().getOrDefault(uid, Set.of()));
            if (!ports.isEmpty()) {
                pod.ids().forEach(id -> dnsPorts.put(id, ports));
            }
            Integer budget = selection.flowBudgets().get(uid);
            if (budget != null) {
                pod.ids().forEach(id -> flowBudgets.put(id, budget));
            }
        });
        cgroups.retain(selection.masks().keySet());
        Set<Probe> wanted = EnumSet.noneOf(Probe.class);
        selection.neededProbes().stream().map(Probe::of)
                .filter(probe -> probes.state(probe).usable())
                .forEach(wanted::add);

        KernelSelection desired = new KernelSelection(masks, dnsPorts, flowBudgets, wanted);
        KernelSelection.Change change = applied.changeTo(desired);
        if (!change.isEmpty()) {
            apply(change);
            LOG.info("selection: {} cgroups of {} pods; probes {}", masks.size(), selection.masks().size(),
                    probes.attached());
        }
        applied = desired.withProbes(probes.attached());

        Map<Integer, Map<String, Set<CgroupId>>> byMonitor = new HashMap<>();
        selection.podsByMonitor().forEach((index, uids) -> {
            Map<String, Set<CgroupId>> selected = new HashMap<>();
            uids.forEach(uid -> selected.put(uid, cgroupsByPod.getOrDefault(uid, Set.of())));
            byMonitor.put(index, selected);
        });
        return new NodeSelection(byMonitor, byUid);
    }

    /** Whether a probe was attached or detached since the last call: the report should say so at once. */
    boolean takeProbesChanged() {
        boolean changed = probesChanged;
        probesChanged = false;
        return changed;
    }

    /** Drops the kernel counters of cgroups unselected since the last call; call after their last read. */
    void forgetUnselected() {
        unselected.forEach(probes::forget);
        unselected.clear();
    }

    /** The kernel holds a bounded number of DNS ports per cgroup: beyond it, the lowest ports, and a warning. */
    private static Set<Integer> dnsPortsWithinBound(String podUid, Set<Integer> ports) {
        int max = KernelProbes.Config.MAX_DNS_PORTS_PER_CGROUP;
        if (ports.size() <= max) {
            return ports;
        }
        Set<Integer> kept = Set.copyOf(ports.stream().sorted().limit(max).toList());
        LOG.warn("pod {}: its monitors ask for {} DNS ports {}; parsing only {}", podUid, ports.size(), ports, kept);
        return kept;
    }

    private void apply(KernelSelection.Change change) {
        change.attach().forEach(probe -> {
            try {
                probes.attach(probe);
            } catch (RuntimeException e) {
                LOG.warn("cannot attach {}: {}", probe.contractName(), e.getMessage());
            }
            probesChanged = true;
        });
        change.select().forEach(probes::select);
        change.dnsPorts().forEach(probes::selectDnsPorts);
        change.flowBudgets().forEach(probes::selectFlows);
        probes.unselect(change.unselect());
        unselected.addAll(change.unselect()); // read once more at the next report, then forgotten
        change.detach().forEach(probe -> {
            probes.detach(probe);
            probesChanged = true;
        });
    }

    @Override
    public void close() {
        cgroups.close();
    }
}
