package dev.sonde.operator.monitor;

import dev.sonde.api.v1alpha1.AgentReport;
import dev.sonde.api.v1alpha1.NodeProbeState;
import dev.sonde.api.v1alpha1.NodeProbeStatus;
import dev.sonde.api.v1alpha1.ProbeName;
import dev.sonde.api.v1alpha1.ProbeState;
import dev.sonde.api.v1alpha1.ProbeStatus;
import java.util.List;
import java.util.Optional;

/**
 * One probe's state over the nodes' reports: FAILED when any node failed it, else UNSUPPORTED when any node can't
 * run it, else ATTACHED; with counts per state and one node's reason as the example.
 */
final class ProbeRollup {

    private ProbeRollup() {
    }

    static ProbeStatus fold(ProbeName probe, List<AgentReport> reports) {
        int attached = 0;
        int unsupported = 0;
        int failedNodes = 0;
        String example = null;
        for (AgentReport report : reports) {
            Optional<NodeProbeStatus> state = probeOn(report, probe);
            NodeProbeState s = state.map(NodeProbeStatus::getState).orElse(null);
            if (s == NodeProbeState.ATTACHED) {
                attached++;
                continue;
            }
            if (s == NodeProbeState.UNSUPPORTED) {
                unsupported++;
            } else if (s == NodeProbeState.FAILED) {
                failedNodes++;
            }
            if (example == null && s != null && s != NodeProbeState.DETACHED) {
                NodeProbeStatus st = state.get();
                example = report.getSpec().getNodeName() + ": "
                        + Optional.ofNullable(st.getReason()).orElse(String.valueOf(s))
                        + (st.getMessage() == null ? "" : ": " + st.getMessage());
            }
        }
        ProbeState overall = failedNodes > 0 ? ProbeState.FAILED
                : unsupported > 0 ? ProbeState.UNSUPPORTED : ProbeState.ATTACHED;
        return new ProbeStatus(probe, overall, attached, unsupported, failedNodes,
                overall == ProbeState.ATTACHED ? null : example);
    }

    static boolean anyFailed(AgentReport report, List<ProbeName> probes) {
        return probes.stream().map(p -> probeOn(report, p))
                .anyMatch(s -> s.map(NodeProbeStatus::getState).orElse(null) == NodeProbeState.FAILED);
    }

    private static Optional<NodeProbeStatus> probeOn(AgentReport report, ProbeName probe) {
        return report.getSpec().getProbes() == null ? Optional.empty()
                : report.getSpec().getProbes().stream().filter(s -> s.getName() == probe).findFirst();
    }
}
