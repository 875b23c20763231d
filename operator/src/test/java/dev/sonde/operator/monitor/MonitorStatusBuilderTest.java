package dev.sonde.operator.monitor;

import static dev.sonde.operator.Fixtures.counters;
import static dev.sonde.operator.Fixtures.report;
import static dev.sonde.operator.Fixtures.window;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sonde.api.agent.AgentConfig;
import dev.sonde.api.v1alpha1.AgentReport;
import dev.sonde.api.v1alpha1.HealthState;
import dev.sonde.api.v1alpha1.LabelSelector;
import dev.sonde.api.v1alpha1.NetworkMonitor;
import dev.sonde.api.v1alpha1.NodeProbeState;
import dev.sonde.api.v1alpha1.ProbeName;
import dev.sonde.api.v1alpha1.ProbeProfile;
import dev.sonde.operator.Fixtures;
import dev.sonde.operator.fleet.AgentConfigCompiler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MonitorStatusBuilderTest {

    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
    private static final List<String> TRUSTED = List.of("sonde-system");
    private static final ProbeProfile PROFILE = Fixtures.profile("std", "10s", ProbeName.TCP_RETRANSMITS);

    private static MonitorStatusBuilder.Result build(NetworkMonitor monitor, ProbeProfile profile, AgentConfig config,
            Set<String> desired, List<AgentReport> reports) {
        MonitorResolution resolution = MonitorResolution.resolve(monitor, profile, TRUSTED, List.of());
        return MonitorStatusBuilder.build(new MonitorStatusBuilder.Inputs(monitor, resolution, config, desired.size(),
                desired, reports, NOW));
    }

    private static AgentConfig configWith(NetworkMonitor... monitors) {
        List<AgentConfigCompiler.Candidate> candidates = new ArrayList<>();
        for (NetworkMonitor m : monitors) {
            candidates.add(new AgentConfigCompiler.Candidate(m,
                    new MonitorResolution.Accepted(PROFILE, List.of(m.getMetadata().getNamespace()))));
        }
        return AgentConfigCompiler.compile(candidates, null).config();
    }

    @Test
    void aHeadersSecretProblemIsTheReadyReasonWhileTheMonitorKeepsMeasuring() {
        NetworkMonitor monitor = Fixtures.monitor("shop", "web", "std");
        MonitorResolution resolution = MonitorResolution.resolve(monitor, PROFILE, TRUSTED, List.of());
        var problem = new HeadersSecret.Problem(Reasons.HEADERS_SECRET_NOT_FOUND, "Secret otlp does not exist");
        var result = MonitorStatusBuilder.build(new MonitorStatusBuilder.Inputs(monitor, resolution,
                configWith(monitor), 1, Set.of("node-a"), List.of(), NOW, problem));
        assertThat(result.readyReason()).isEqualTo(Reasons.HEADERS_SECRET_NOT_FOUND);
        assertThat(result.status().getConditions().getFirst().getStatus()).isEqualTo("False");
        assertThat(result.status().getConditions().getFirst().getMessage()).isEqualTo("Secret otlp does not exist");
        assertThat(result.status().getPods().getMatched()).as("still measured").isEqualTo(1);
    }

    @Test
    void missingProfile() {
        var result = build(Fixtures.monitor("shop", "web", "nope"), null, null, Set.of(), List.of());
        assertThat(result.readyReason()).isEqualTo(Reasons.PROFILE_NOT_FOUND);
        assertThat(result.status().getConditions().getFirst().getStatus()).isEqualTo("False");
        assertThat(result.status().getHealth()).isEqualTo(HealthState.UNKNOWN);
        assertThat(result.recheckAfter()).as("no requeue: a profile event brings it back").isEmpty();
    }

    @Test
    void forbiddenNamespaceSelector() {
        NetworkMonitor monitor = Fixtures.monitor("shop", "web", "std");
        monitor.getSpec().setNamespaceSelector(new LabelSelector(Map.of("team", "shop"), null));
        var result = build(monitor, PROFILE, null, Set.of(), List.of());
        assertThat(result.readyReason()).isEqualTo(Reasons.NAMESPACE_SELECTOR_FORBIDDEN);
        assertThat(result.recheckAfter()).isEmpty();
    }

    @Test
    void pausedIsReadyAndKeepsTheLastSummary() {
        NetworkMonitor monitor = Fixtures.monitor("shop", "web", "std");
        AgentReport report = report("a", NOW, NodeProbeState.ATTACHED, window(monitor, counters(100, 1), null));
        var running = build(monitor, PROFILE, configWith(monitor), Set.of("a"), List.of(report));
        monitor.setStatus(running.status());
        monitor.getSpec().setPaused(true);
        var paused = build(monitor, PROFILE, configWith(), Set.of("a"), List.of());
        assertThat(paused.readyReason()).isEqualTo(Reasons.PAUSED);
        assertThat(paused.status().getConditions().getFirst().getStatus()).isEqualTo("True");
        assertThat(paused.status().getSummary().getRetransmitRatio()).isEqualTo(0.01);
    }

    @Test
    void notYetCompiledIsConfigPending() {
        NetworkMonitor monitor = Fixtures.monitor("shop", "web", "std");
        assertThat(build(monitor, PROFILE, configWith(), Set.of(), List.of()).readyReason())
                .isEqualTo(Reasons.CONFIG_PENDING);
    }

    @Test
    void readyReasonsFollowTheReports() {
        NetworkMonitor monitor = Fixtures.monitor("shop", "web", "std");
        AgentConfig config = configWith(monitor);
        assertThat(build(monitor, PROFILE, config, Set.of(), List.of()).readyReason())
                .isEqualTo(Reasons.NO_PODS_SELECTED);

        var silent = build(monitor, PROFILE, config, Set.of("a"), List.of());
        assertThat(silent.readyReason()).isEqualTo(Reasons.AGENTS_NOT_REPORTING);
        assertThat(silent.recheckAfter()).contains(Duration.ofSeconds(10));

        AgentReport report = report("a", NOW, NodeProbeState.ATTACHED, window(monitor, counters(1000, 100), null));
        var reporting = build(monitor, PROFILE, config, Set.of("a", "b"), List.of(report));
        assertThat(reporting.readyReason()).isEqualTo(Reasons.MONITORING);
        assertThat(reporting.status().getNodes().getSummary()).isEqualTo("1/2");
        assertThat(reporting.status().getHealth()).isEqualTo(HealthState.CRITICAL);
        assertThat(reporting.status().getLastReportTime()).isEqualTo(NOW.toString());
        assertThat(reporting.status().getPods().getMatched()).isEqualTo(2);
    }

    @Test
    void aMonitorWithoutPodsHasUnknownHealthEvenWhenAgentsSendEmptyWindows() {
        // Seen in the demo: a node's agent writes a window for every compiled monitor, pods or not.
        NetworkMonitor monitor = Fixtures.monitor("shop", "web", "std");
        AgentReport empty = report("a", NOW, NodeProbeState.ATTACHED, window(monitor, counters(0, 0), null));

        var result = build(monitor, PROFILE, configWith(monitor), Set.of(), List.of(empty));

        assertThat(result.readyReason()).isEqualTo(Reasons.NO_PODS_SELECTED);
        assertThat(result.status().getHealth()).isEqualTo(HealthState.UNKNOWN);
        assertThat(result.status().getHealthReasons()).isEmpty();
    }

    @Test
    void readyTransitionsAreDetected() {
        NetworkMonitor monitor = Fixtures.monitor("shop", "web", "nope");
        var missing = build(monitor, null, null, Set.of(), List.of());
        assertThat(MonitorStatusBuilder.readyChanged(null, missing.status())).isTrue();
        monitor.setStatus(missing.status());
        var again = build(monitor, null, null, Set.of(), List.of());
        assertThat(MonitorStatusBuilder.readyChanged(monitor.getStatus(), again.status())).isFalse();
        assertThat(again.status()).as("unchanged status means no write").isEqualTo(missing.status());
    }

    @Test
    void aReconcileThatThrowsEndsAsReadyFalseWithTheReasonAndKeepsTheRest() {
        NetworkMonitor monitor = Fixtures.monitor("shop", "web", "std");
        AgentReport report = report("a", NOW, NodeProbeState.ATTACHED, window(monitor, counters(100, 1), null));
        monitor.setStatus(build(monitor, PROFILE, configWith(monitor), Set.of("a"), List.of(report)).status());

        var status = MonitorStatusBuilder.reconcileError(monitor, new IllegalStateException("cache not synced"), NOW);

        var ready = status.getConditions().stream().filter(c -> c.getType().equals("Ready")).findFirst().orElseThrow();
        assertThat(ready.getStatus()).isEqualTo("False");
        assertThat(ready.getReason()).isEqualTo("ReconcileError");
        assertThat(ready.getMessage()).contains("cache not synced");
        assertThat(status.getSummary()).as("the last summary stays").isEqualTo(monitor.getStatus().getSummary());
        assertThat(monitor.getStatus().getConditions().getFirst().getStatus()).as("the monitor itself is untouched")
                .isEqualTo("True");
        assertThat(MonitorStatusBuilder.reconcileError(new NetworkMonitor(), new RuntimeException(), NOW)
                .getConditions().getFirst().getMessage()).contains("RuntimeException");
    }
}
