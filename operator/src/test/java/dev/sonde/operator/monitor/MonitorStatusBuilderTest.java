package dev.sonde.operator.monitor;

import static dev.sonde.operator.Fixtures.counted;
import static dev.sonde.operator.Fixtures.counters;
import static dev.sonde.operator.Fixtures.peer;
import static dev.sonde.operator.Fixtures.report;
import static dev.sonde.operator.Fixtures.window;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sonde.api.agent.AgentConfig;
import dev.sonde.api.v1alpha1.AgentReport;
import dev.sonde.api.v1alpha1.FlowsProbeParameters;
import dev.sonde.api.v1alpha1.HealthState;
import dev.sonde.api.v1alpha1.LabelSelector;
import dev.sonde.api.v1alpha1.MonitorWindow;
import dev.sonde.api.v1alpha1.NetworkMonitor;
import dev.sonde.api.v1alpha1.NodeProbeState;
import dev.sonde.api.v1alpha1.PeerWindow;
import dev.sonde.api.v1alpha1.ProbeName;
import dev.sonde.api.v1alpha1.ProbeProfile;
import dev.sonde.operator.Conditions;
import dev.sonde.operator.Fixtures;
import dev.sonde.operator.fleet.AgentConfigCompiler;
import io.fabric8.kubernetes.api.model.Condition;
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
                    new MonitorResolution.Accepted(PROFILE, List.of(m.getMetadata().getNamespace()), false)));
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

    // --- flows: status.peers and PeersComplete ---

    private static ProbeProfile flowsProfile() {
        ProbeProfile profile = Fixtures.profile("flows", "10s", ProbeName.TCP_RETRANSMITS, ProbeName.FLOWS);
        profile.getSpec().getProbes().get(1).setFlows(new FlowsProbeParameters());
        profile.getSpec().getProbes().get(1).getFlows().setMaxPeersPerPod(16);
        return profile;
    }

    private static MonitorWindow flowsWindow(NetworkMonitor monitor, long segments, long retransmits, Long refused,
            PeerWindow... peers) {
        MonitorWindow w = window(monitor, counters(segments, retransmits), null);
        w.setPeers(List.of(peers));
        w.setRefusedFlows(refused);
        return w;
    }

    private static Condition condition(MonitorStatusBuilder.Result result, String type) {
        return result.status().getConditions().stream().filter(c -> c.getType().equals(type)).findFirst()
                .orElse(null);
    }

    @Test
    void peersOfBothNodesAreMergedIntoTheTopFiveAndTheReasonNamesTheWorst() {
        ProbeProfile profile = flowsProfile();
        NetworkMonitor monitor = Fixtures.monitor("shop", "web", "flows");
        List<PeerWindow> a = new ArrayList<>();
        List<PeerWindow> b = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            a.add(counted(peer("pod", "shop", "p" + i, 80), 10 + i, 0, 0, 0, 1));
            b.add(counted(peer("pod", "shop", "p" + i, 80), 10, 0, 0, 0, 1));
        }
        a.add(counted(peer("service", "shop", "inventory", 8080), 5, 0, 30, 0, 1));
        b.add(counted(peer("service", "shop", "inventory", 8080), 5, 0, 50, 0, 1));
        AgentReport ra = report("a", NOW, NodeProbeState.ATTACHED,
                flowsWindow(monitor, 1000, 40, 0L, a.toArray(PeerWindow[]::new)));
        AgentReport rb = report("b", NOW, NodeProbeState.ATTACHED,
                flowsWindow(monitor, 1000, 60, 0L, b.toArray(PeerWindow[]::new)));

        var result = build(monitor, profile, configWith(monitor), Set.of("a", "b"), List.of(ra, rb));

        assertThat(result.status().getPeers()).extracting(PeerWindow::getName)
                .containsExactly("inventory", "p5", "p4", "p3", "p2");
        assertThat(result.status().getPeers().getFirst().getRetransmits()).isEqualTo(80);
        assertThat(result.status().getPeers().get(1).getConnections()).isEqualTo(25);
        assertThat(result.status().getHealthReasons().getFirst().getMessage()).isEqualTo(
                "retransmit ratio 5% is above the degraded level 1% \u2014 80% of retransmits go to Service "
                        + "shop/inventory:8080");
        Condition peers = condition(result, PeersComplete.TYPE);
        assertThat(peers.getStatus()).isEqualTo("True");
        assertThat(peers.getReason()).isEqualTo(Reasons.WITHIN_BUDGET);
        assertThat(result.status().getConditions().getFirst().getType()).as("Ready stays first").isEqualTo("Ready");
    }

    @Test
    void refusedFlowsFlipPeersCompleteButNotReadyAndBack() {
        ProbeProfile profile = flowsProfile();
        NetworkMonitor monitor = Fixtures.monitor("shop", "web", "flows");
        AgentConfig config = configWith(monitor);
        PeerWindow p = counted(peer("pod", "shop", "db-0", 5432), 10, 0, 0, 0, 1);
        var within = build(monitor, profile, config, Set.of("a", "b"), List.of(
                report("a", NOW, NodeProbeState.ATTACHED, flowsWindow(monitor, 1000, 0, 0L, p)),
                report("b", NOW, NodeProbeState.ATTACHED, flowsWindow(monitor, 1000, 0, null, p))));
        assertThat(condition(within, PeersComplete.TYPE).getStatus()).isEqualTo("True");
        Condition readyBefore = condition(within, "Ready");
        monitor.setStatus(within.status());

        Instant later = NOW.plusSeconds(10);
        var exceeded = MonitorStatusBuilder.build(new MonitorStatusBuilder.Inputs(monitor,
                MonitorResolution.resolve(monitor, profile, TRUSTED, List.of()), config, 2, Set.of("a", "b"), List.of(
                        report("a", later, NodeProbeState.ATTACHED, flowsWindow(monitor, 1000, 0, 7L, p)),
                        report("b", later, NodeProbeState.ATTACHED, flowsWindow(monitor, 1000, 0, 5L, p))), later));

        Condition peers = condition(exceeded, PeersComplete.TYPE);
        assertThat(peers.getStatus()).isEqualTo("False");
        assertThat(peers.getReason()).isEqualTo(Reasons.PEER_BUDGET_EXCEEDED);
        assertThat(peers.getMessage()).startsWith("12 connections and datagrams of the last window were not counted "
                + "per peer").contains("maxPeersPerPod 16");
        assertThat(peers.getLastTransitionTime()).isEqualTo(later.toString());
        assertThat(condition(exceeded, "Ready")).as("Ready does not flip").isEqualTo(readyBefore);
        assertThat(exceeded.status().getPeers()).extracting(PeerWindow::getConnections).containsExactly(20L);
        monitor.setStatus(exceeded.status());

        // still refusing: same status, same transition time; then nothing refused: True again
        Instant latest = later.plusSeconds(10);
        var still = MonitorStatusBuilder.build(new MonitorStatusBuilder.Inputs(monitor,
                MonitorResolution.resolve(monitor, profile, TRUSTED, List.of()), config, 2, Set.of("a", "b"), List.of(
                        report("a", latest, NodeProbeState.ATTACHED, flowsWindow(monitor, 1000, 0, 1L, p))), latest));
        assertThat(condition(still, PeersComplete.TYPE).getLastTransitionTime()).isEqualTo(later.toString());
        var recovered = MonitorStatusBuilder.build(new MonitorStatusBuilder.Inputs(monitor,
                MonitorResolution.resolve(monitor, profile, TRUSTED, List.of()), config, 2, Set.of("a", "b"), List.of(
                        report("a", latest, NodeProbeState.ATTACHED, flowsWindow(monitor, 1000, 0, 0L, p))), latest));
        assertThat(condition(recovered, PeersComplete.TYPE).getStatus()).isEqualTo("True");
        assertThat(condition(recovered, PeersComplete.TYPE).getLastTransitionTime()).isEqualTo(latest.toString());
    }

    @Test
    void withoutFlowsThereIsNoPeersConditionAndNoPeers() {
        NetworkMonitor monitor = Fixtures.monitor("shop", "web", "std");
        AgentReport report = report("a", NOW, NodeProbeState.ATTACHED, window(monitor, counters(100, 1), null));
        var result = build(monitor, PROFILE, configWith(monitor), Set.of("a"), List.of(report));
        assertThat(condition(result, PeersComplete.TYPE)).isNull();
        assertThat(result.status().getPeers()).isNull();

        // a profile that drops flows drops the condition too
        ProbeProfile flows = flowsProfile();
        NetworkMonitor withFlows = Fixtures.monitor("shop", "web", "flows");
        withFlows.setStatus(build(withFlows, flows, configWith(withFlows), Set.of("a"), List.of(report)).status());
        assertThat(Conditions.find(withFlows.getStatus().getConditions(), PeersComplete.TYPE)).isPresent();
        var dropped = build(withFlows, PROFILE, configWith(withFlows), Set.of("a"), List.of(report));
        assertThat(condition(dropped, PeersComplete.TYPE)).isNull();
    }
}
