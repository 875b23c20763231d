package dev.sonde.agent.node;

import dev.sonde.agent.probe.KernelCapabilities;
import dev.sonde.agent.probe.Probe;
import dev.sonde.agent.probe.ProbeAttachment;
import dev.sonde.api.v1alpha1.AgentReport;
import dev.sonde.api.v1alpha1.AgentReportSpec;
import dev.sonde.api.v1alpha1.CgroupMode;
import dev.sonde.api.v1alpha1.KernelFacts;
import dev.sonde.api.v1alpha1.MonitorWindow;
import dev.sonde.api.v1alpha1.NodeProbeState;
import dev.sonde.api.v1alpha1.NodeProbeStatus;
import java.nio.file.Path;
import java.time.Instant;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builds this node's AgentReport: a fresh object, written whole with server-side apply. */
final class AgentReports {

    private AgentReports() {
    }

    /**
     * @param nodeUid the Node's uid, or null while the agent has not seen its Node: the report is then written without
     *     the owner reference through which Kubernetes' garbage collector deletes it with the Node
     */
    static AgentReport build(String namespace, String nodeName, String nodeUid, String agentVersion, String configHash,
            KernelCapabilities kernel, Map<Probe, ProbeAttachment> probeStates, Instant windowStart, Instant windowEnd,
            List<MonitorWindow> monitors, long mapFullEvents) {
        AgentReportSpec spec = new AgentReportSpec();
        spec.setNodeName(nodeName);
        spec.setAgentVersion(agentVersion);
        spec.setConfigHash(configHash);
        spec.setKernel(kernelFacts(kernel));
        spec.setProbes(probeStatuses(probeStates));
        spec.setWindowStart(windowStart.toString());
        spec.setWindowEnd(windowEnd.toString());
        spec.setMonitors(monitors);
        spec.setMapFullEvents(mapFullEvents);
        AgentReport report = new AgentReport();
        report.getMetadata().setName(nodeName);
        report.getMetadata().setNamespace(namespace);
        if (nodeUid != null) {
            // a cluster-scoped owner of a namespaced object: the report goes when its Node is deleted
            report.getMetadata().setOwnerReferences(List.of(new OwnerReferenceBuilder().withApiVersion("v1")
                    .withKind("Node").withName(nodeName).withUid(nodeUid).build()));
        }
        report.setSpec(spec);
        return report;
    }

    static KernelFacts kernelFacts(KernelCapabilities kernel) {
        KernelFacts facts = new KernelFacts();
        facts.setRelease(kernel.kernelRelease());
        facts.setBtf(kernel.btf());
        facts.setCgroupMode(kernel.cgroup2Mount()
                .map(mount -> mount.equals(Path.of("/sys/fs/cgroup/unified")) ? CgroupMode.HYBRID : CgroupMode.UNIFIED)
                .orElse(CgroupMode.LEGACY));
        kernel.cgroup2Mount().ifPresent(mount -> facts.setCgroupV2Path(mount.toString()));
        facts.setCapabilities(new ArrayList<>(kernel.capabilityNames()));
        return facts;
    }

    static List<NodeProbeStatus> probeStatuses(Map<Probe, ProbeAttachment> states) {
        List<NodeProbeStatus> statuses = new ArrayList<>();
        for (Probe probe : Probe.values()) {
            ProbeAttachment state = states.get(probe);
            if (state == null) {
                continue;
            }
            NodeProbeStatus status = new NodeProbeStatus();
            status.setName(probe.probeName());
            status.setState(state.state());
            if (state.state() == NodeProbeState.DETACHED) {
                status.setReason("NotNeeded");
                status.setMessage("no selected pod on this node needs it");
            } else if (state.state() != NodeProbeState.ATTACHED) {
                status.setReason(state.reason());
                status.setMessage(state.message());
            }
            statuses.add(status);
        }
        return statuses;
    }
}
