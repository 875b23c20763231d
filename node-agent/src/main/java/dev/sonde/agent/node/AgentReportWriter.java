package dev.sonde.agent.node;

import dev.sonde.agent.flows.MonitorFlows;
import dev.sonde.agent.flows.Peer;
import dev.sonde.agent.probe.CgroupId;
import dev.sonde.agent.probe.FlowCounters;
import dev.sonde.agent.probe.DropReasons;
import dev.sonde.agent.probe.KernelCapabilities;
import dev.sonde.agent.probe.Probe;
import dev.sonde.agent.probe.ProbeCounters;
import dev.sonde.agent.probe.ProbeAttachment;
import dev.sonde.agent.report.MonitorWindows;
import dev.sonde.agent.report.PeerWindows;
import dev.sonde.api.agent.CompiledMonitor;
import dev.sonde.api.v1alpha1.AgentReport;
import dev.sonde.api.v1alpha1.MonitorWindow;
import dev.sonde.api.v1alpha1.MonitorWindowState;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's open report window: accumulates per-cgroup deltas until the AgentReport that carries them gets through,
 * and writes that report (one per node, server-side apply). One thread only.
 */
final class AgentReportWriter {

    private static final Logger LOG = LoggerFactory.getLogger(AgentReportWriter.class);
    private static final String FIELD_MANAGER = "sonde-agent";

    private final KubernetesClient client;
    private final NodeAgent.Settings settings;
    private final KernelCapabilities kernel;
    private final DropReasons dropReasons;
    private final Map<CgroupId, ProbeCounters> unreported = new HashMap<>();
    /** Monitor uid -> its peers over the open window (monitors with the flows probe). */
    private final Map<String, Map<Peer, FlowCounters>> unreportedPeers = new HashMap<>();
    private final Map<String, Long> unreportedRefused = new HashMap<>();
    private Instant windowStart;

    AgentReportWriter(KubernetesClient client, NodeAgent.Settings settings, KernelCapabilities kernel,
            DropReasons dropReasons, Instant start) {
        this.client = client;
        this.settings = settings;
        this.kernel = kernel;
        this.dropReasons = dropReasons;
        this.windowStart = start;
    }

    /** Adds an interval's deltas to the open window. */
    void add(Map<CgroupId, ProbeCounters> deltas) {
        deltas.forEach((cgroup, delta) -> unreported.merge(cgroup, delta, ProbeCounters::plus));
    }

    /** Adds an interval's flows to the open window. */
    void addFlows(Map<String, MonitorFlows> flows) {
        flows.forEach((uid, mf) -> {
            Map<Peer, FlowCounters> peers = unreportedPeers.computeIfAbsent(uid, u -> new HashMap<>());
            mf.peers().forEach((peer, c) -> peers.merge(peer, c, FlowCounters::plus));
            unreportedRefused.merge(uid, mf.refused(), Long::sum);
        });
    }

    /**
     * Writes the report of the window ending now. When the API server refuses it, the window stays open: its counts
     * go into the next report that gets through.
     */
    void write(Instant now, ConfigPolicy.Effective effective, NodeSelection selection,
            Map<Probe, ProbeAttachment> probes,
            Map<String, Long> mapFull, String nodeUid) {
        List<MonitorWindow> windows = new ArrayList<>();
        Set<String> reported = new HashSet<>();
        for (CompiledMonitor monitor : effective.config().monitors()) {
            MonitorWindow window = MonitorWindows.of(monitor.namespace(), monitor.name(), monitor.uid(),
                    selection.podsOf(monitor.index()).size(), selection.cgroupsOf(monitor.index()), unreported,
                    MonitorWindows.lossDropReasons(monitor, dropReasons));
            if (MonitorFlows.flowsOf(monitor) != null) {
                window.setPeers(PeerWindows.top(unreportedPeers.getOrDefault(monitor.uid(), Map.of())));
                window.setRefusedFlows(unreportedRefused.getOrDefault(monitor.uid(), 0L));
            }
            windows.add(withState(window, effective.rejected().get(monitor.uid())));
            reported.add(monitor.uid());
        }
        // A rejected entry of a monitor that never had a valid one: report it, with nothing measured.
        effective.rejected().forEach((key, problem) -> {
            if (!reported.contains(problem.uid()) || problem.uid().isEmpty()) {
                windows.add(withState(MonitorWindows.of(problem.namespace(), problem.name(),
                        problem.uid().isEmpty() ? null : problem.uid(), 0, Set.of(), Map.of(), Set.of()), problem));
            }
        });
        AgentReport report = AgentReports.build(settings.namespace(), settings.nodeName(), nodeUid,
                settings.agentVersion(), effective.config().hash(), kernel, probes, windowStart, now, windows,
                mapFull.values().stream().mapToLong(Long::longValue).sum());
        try {
            client.resource(report).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
        } catch (KubernetesClientException e) {
            LOG.warn("cannot write AgentReport {}/{} ({}); will retry with the window extended",
                    settings.namespace(), settings.nodeName(), e.getMessage());
            return;
        }
        unreported.clear();
        unreportedPeers.clear();
        unreportedRefused.clear();
        windowStart = now;
    }

    private static MonitorWindow withState(MonitorWindow window, ConfigReader.Rejected problem) {
        if (problem == null) {
            window.setState(MonitorWindowState.ACTIVE);
        } else {
            window.setState(MonitorWindowState.FAILED);
            window.setReason(problem.reason());
            window.setMessage(problem.message());
        }
        return window;
    }
}
