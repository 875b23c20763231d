package dev.sonde.operator.monitor;

import dev.sonde.api.v1alpha1.AgentReport;
import dev.sonde.api.v1alpha1.NodeProbeState;
import dev.sonde.api.v1alpha1.NodeProbeStatus;
import dev.sonde.api.v1alpha1.ProbeName;
import io.javaoperatorsdk.operator.processing.event.source.Cache;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The operator's {@code sonde_probe_nodes{probe,state}} gauges: how many nodes' AgentReports have each probe in each
 * state, read from the AgentReport cache, so an alert can say "tcpRtt is Unsupported on 2 nodes".
 */
final class ProbeStateGauges {

    private ProbeStateGauges() {
    }

    static void register(Cache<AgentReport> reports, MeterRegistry registry) {
        for (ProbeName probe : ProbeName.values()) {
            for (NodeProbeState state : NodeProbeState.values()) {
                Gauge.builder("sonde.probe.nodes", reports, cache -> cache.list(r -> stateOn(r, probe) == state).count())
                        .description("Nodes whose AgentReport has the probe in this state")
                        .tag("probe", probe.wireName())
                        .tag("state", stateName(state))
                        .register(registry);
            }
        }
    }

    /** The probe's state in one node's report; null when the report does not list it. */
    private static NodeProbeState stateOn(AgentReport report, ProbeName probe) {
        if (report.getSpec() == null || report.getSpec().getProbes() == null) {
            return null;
        }
        return report.getSpec().getProbes().stream().filter(p -> p.getName() == probe).map(NodeProbeStatus::getState)
                .findFirst().orElse(null);
    }

    static String stateName(NodeProbeState state) {
        return switch (state) {
            case ATTACHED -> "Attached";
            case DETACHED -> "Detached";
            case UNSUPPORTED -> "Unsupported";
            case FAILED -> "Failed";
        };
    }
}
