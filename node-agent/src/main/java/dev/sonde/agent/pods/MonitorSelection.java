package dev.sonde.agent.pods;

import dev.sonde.api.agent.CompiledMonitor;
import dev.sonde.api.agent.CompiledProbe;
import dev.sonde.api.v1alpha1.ProbeName;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which monitors select which pods on this node: the pure part of the agent's selection.
 *
 * <p>A monitor selects a pod when the node matches its {@code nodeSelector}, the pod's namespace is one of its
 * namespaces and the pod's labels match its {@code podSelector}. Finished pods are never selected.
 *
 * @param masks pod UID to the bitmask of the monitors that select it; pods no monitor selects are absent
 * @param podsByMonitor monitor index to the UIDs of the pods it selects on this node
 * @param neededProbes probes at least one selected pod needs: what must be attached on this node
 * @param dnsPorts pod UID to the DNS server ports of the monitors that select it with the dns probe (their union);
 *     pods no such monitor selects are absent
 * @param flowBudgets pod UID to the flow budget the kernel gives it: the largest maxPeersPerPod of the monitors that
 *     select it with the flows probe; pods no such monitor selects are absent
 */
public record MonitorSelection(Map<String, Long> masks, Map<Integer, List<String>> podsByMonitor,
        Set<ProbeName> neededProbes, Map<String, Set<Integer>> dnsPorts, Map<String, Integer> flowBudgets) {

    public static final MonitorSelection EMPTY = new MonitorSelection(Map.of(), Map.of(), Set.of(), Map.of(), Map.of());

    public static MonitorSelection compute(Collection<CompiledMonitor> monitors, Map<String, String> nodeLabels,
            Collection<NodePod> pods) {
        Map<String, Long> masks = new HashMap<>();
        Map<Integer, List<String>> podsByMonitor = new HashMap<>();
        Set<ProbeName> needed = EnumSet.noneOf(ProbeName.class);
        Map<String, Set<Integer>> dnsPorts = new HashMap<>();
        Map<String, Integer> flowBudgets = new HashMap<>();
        for (CompiledMonitor monitor : monitors) {
            if (!monitor.nodeSelector().matches(nodeLabels)) {
                continue;
            }
            List<String> selected = pods.stream()
                    .filter(pod -> !pod.finished())
                    .filter(pod -> monitor.namespaces().contains(pod.namespace()))
                    .filter(pod -> monitor.podSelector().matches(pod.labels()))
                    .map(NodePod::uid)
                    .sorted()
                    .toList();
            if (selected.isEmpty()) {
                continue;
            }
            podsByMonitor.put(monitor.index(), selected);
            selected.forEach(uid -> masks.merge(uid, monitor.bit(), (a, b) -> a | b));
            monitor.probes().stream().map(CompiledProbe::name).forEach(needed::add);
            monitor.probes().stream().filter(p -> p.name() == ProbeName.DNS).forEach(dns -> selected.forEach(uid ->
                    dnsPorts.computeIfAbsent(uid, u -> new TreeSet<>()).addAll(dns.dnsPorts())));
            monitor.probes().stream().filter(p -> p.name() == ProbeName.FLOWS).forEach(flows -> selected.forEach(uid ->
                    flowBudgets.merge(uid, flows.flows().maxPeersPerPod(), Math::max)));
        }
        Map<String, Set<Integer>> ports = new HashMap<>();
        dnsPorts.forEach((uid, set) -> ports.put(uid, Set.copyOf(set)));
        return new MonitorSelection(Map.copyOf(masks), Map.copyOf(podsByMonitor),
                needed.isEmpty() ? Set.of() : Set.copyOf(needed), Map.copyOf(ports), Map.copyOf(flowBudgets));
    }
}
