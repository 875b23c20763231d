package dev.sonde.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sonde.api.agent.AgentConfig;
import dev.sonde.api.agent.CompiledFlows;
import dev.sonde.api.agent.CompiledMonitor;
import dev.sonde.api.v1alpha1.AgentReport;
import dev.sonde.api.v1alpha1.AgentReportSpec;
import dev.sonde.api.v1alpha1.HealthState;
import dev.sonde.api.v1alpha1.MonitorWindow;
import dev.sonde.api.v1alpha1.NetworkMonitor;
import dev.sonde.api.v1alpha1.NodeProbeState;
import dev.sonde.api.v1alpha1.NodeProbeStatus;
import dev.sonde.api.v1alpha1.PeerWindow;
import dev.sonde.api.v1alpha1.ProbeName;
import dev.sonde.api.v1alpha1.ProbeProfile;
import dev.sonde.api.v1alpha1.TrafficCounters;
import dev.sonde.testsupport.ControlPlane;
import dev.sonde.testsupport.LocalControlPlane;
import dev.sonde.testsupport.TestNamespace;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The flows side of NetworkMonitor status with the operator jar against the real local control plane, as its
 * ServiceAccount: AgentReports from two nodes carry peers as the agents write them, and the test reads back what
 * the API server stores in the monitor's status (status.peers, the health reason, PeersComplete) and in the
 * compiled agent config. The test namespace is the operator's; the tenant monitor lives in {@code <ns>-app}.
 */
@LocalControlPlane
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FlowsStatusIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private static OperatorProcess operator;
    private static String opNs;
    private static String appNs;
    private static String profile;
    private static String node0;
    private static String node1;
    private static List<HasMetadata> rbac = List.of();

    @BeforeAll
    static void startOperator(ControlPlane cluster, KubernetesClient client, TestNamespace ns) {
        cluster.installCrds();
        opNs = ns.name();
        appNs = ns.name() + "-app";
        profile = ns.name() + "-flows";
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(appNs)
                .addToLabels("sonde.dev/test-namespace", "true").endMetadata().build()).create();
        List<String> kwokNodes = client.nodes().list().getItems().stream()
                .map(n -> n.getMetadata().getName()).filter(n -> n.startsWith("kwok-")).sorted().toList();
        assertThat(kwokNodes).hasSizeGreaterThanOrEqualTo(2);
        node0 = kwokNodes.get(0);
        node1 = kwokNodes.get(1);
        rbac = OperatorServiceAccount.install(cluster, client, opNs);
        Path kubeconfig = OperatorServiceAccount.kubeconfig(cluster, opNs, Path.of("target", opNs + ".kubeconfig"));
        operator = new OperatorProcess(kubeconfig, opNs, Map.of(
                "sonde.operator.namespace", opNs,
                "sonde.operator.agent.image", "registry.invalid/sonde-agent:it",
                // other suites share the cluster: reconcile only this suite's namespaces
                "quarkus.operator-sdk.controllers.networkmonitor.namespaces", opNs + "," + appNs));
        operator.start();
    }

    @AfterAll
    static void stopOperator(KubernetesClient client) {
        if (operator != null) {
            operator.close();
        }
        rbac.forEach(object -> client.resource(object).delete());
        if (profile != null) {
            client.resources(ProbeProfile.class).withName(profile).delete();
        }
        if (appNs != null && !"true".equals(System.getenv("SONDE_KEEP_NAMESPACES"))) {
            client.namespaces().withName(appNs).delete();
        }
    }

    @Test
    @Order(1)
    void flowsAreCompiledTrustedOnlyInTheOperatorsNamespace(ControlPlane cluster, KubernetesClient client) {
        apply(cluster, """
                apiVersion: sonde.dev/v1alpha1
                kind: ProbeProfile
                metadata:
                  name: %s
                spec:
                  interval: 10s
                  probes:
                    - name: tcpConnections
                    - name: flows
                      flows:
                        maxPeersPerPod: 8
                  health:
                    connectFailureRatio: {degraded: 0.02, critical: 0.5}
                """.formatted(profile));
        apply(cluster, monitor("web", appNs));
        apply(cluster, monitor("fleet", opNs));

        AgentConfig config = awaitConfig(client, c -> find(c, appNs, "web").isPresent()
                && find(c, opNs, "fleet").isPresent());

        CompiledFlows tenant = flows(find(config, appNs, "web").orElseThrow());
        assertThat(tenant.trusted()).isFalse();
        assertThat(tenant.maxPeersPerPod()).isEqualTo(8);
        assertThat(flows(find(config, opNs, "fleet").orElseThrow()).trusted()).isTrue();
        // flows weighs 4 points, tcpConnections 1: medium
        await().atMost(WAIT).untilAsserted(() -> assertThat(cluster.kubectl("get", "probeprofile", profile, "-o",
                "jsonpath={.status.overheadClass}").orThrow()).isEqualTo("medium"));
    }

    @Test
    @Order(2)
    void twoNodesPeersAreMergedAndTheReasonNamesThePeer(ControlPlane cluster, KubernetesClient client) {
        createRunningPod(client, "web-0", node0);
        createRunningPod(client, "web-1", node1);
        String uid = uid(client);

        await().atMost(WAIT).untilAsserted(() -> {
            writeReports(client, uid, 0L, 0L);
            assertThat(readyReason(client)).isEqualTo("Monitoring");
            assertThat(status(client).getPeers()).hasSize(5);
        });

        NetworkMonitor stored = client.resources(NetworkMonitor.class).inNamespace(appNs).withName("web").get();
        List<PeerWindow> peers = stored.getStatus().getPeers();
        // summed over both nodes, ranked by failed connects, retransmits, resets, connections; "a pod in
        // namespace elsewhere" (1 connection) is the sixth and left out
        assertThat(peers).extracting(FlowsStatusIT::describe).containsExactly(
                "service " + appNs + "/inventory:8080 100 conns 15 failed 0.15 2 retrans 0 resets 10000 bytes",
                "external corporate-vpn:443 5 conns 1 failed 0.2 4 retrans 0 resets 500 bytes",
                "pod " + appNs + "/db-0:5432 10 conns 0 failed 0.0 10 retrans 3 resets 1000 bytes",
                "pod " + appNs + "/Deployment checkout:80 40 conns 0 failed null 0 retrans 0 resets 4000 bytes",
                "node " + node1 + ":10250 2 conns 0 failed 0.0 0 retrans 0 resets 200 bytes");
        assertThat(peers.getFirst().getBytesSent()).isEqualTo(6000);
        assertThat(peers.getFirst().getBytesReceived()).isEqualTo(4000);

        // 20 failed of 200 connects; 15 of the 20 go to inventory
        assertThat(stored.getStatus().getHealth()).isEqualTo(HealthState.DEGRADED);
        assertThat(stored.getStatus().getHealthReasons().getFirst().getMessage()).isEqualTo(
                "connect failure ratio 10% is above the degraded level 2% \u2014 75% of failed connects go to "
                        + "Service " + appNs + "/inventory:8080");
        Condition complete = condition(client, "PeersComplete");
        assertThat(complete.getStatus()).isEqualTo("True");
        assertThat(complete.getReason()).isEqualTo("WithinBudget");
        assertThat(complete.getMessage()).contains("maxPeersPerPod 8");
    }

    @Test
    @Order(3)
    void refusedFlowsFlipPeersCompleteAndBackWithoutTouchingReady(KubernetesClient client) {
        String uid = uid(client);
        Condition readyBefore = condition(client, "Ready");
        Condition completeBefore = condition(client, "PeersComplete");

        // the operator may fold node 0's report in before node 1's: wait for both (7 + 5)
        await().atMost(WAIT).untilAsserted(() -> {
            writeReports(client, uid, 7L, 5L);
            Condition exceeded = condition(client, "PeersComplete");
            assertThat(exceeded.getStatus()).isEqualTo("False");
            assertThat(exceeded.getMessage()).startsWith("12 connections and datagrams of the last window were not "
                    + "counted per peer");
        });
        Condition exceeded = condition(client, "PeersComplete");
        assertThat(exceeded.getReason()).isEqualTo("PeerBudgetExceeded");
        assertThat(exceeded.getMessage()).contains("ProbeProfile " + profile + " (maxPeersPerPod 8)");
        assertThat(exceeded.getLastTransitionTime()).isGreaterThanOrEqualTo(completeBefore.getLastTransitionTime());
        assertThat(condition(client, "Ready")).as("PeersComplete does not flip Ready").isEqualTo(readyBefore);

        await().atMost(WAIT).untilAsserted(() -> {
            writeReports(client, uid, 0L, null);
            assertThat(condition(client, "PeersComplete").getStatus()).isEqualTo("True");
        });
        assertThat(condition(client, "PeersComplete").getReason()).isEqualTo("WithinBudget");
        assertThat(condition(client, "Ready")).isEqualTo(readyBefore);
    }

    @Test
    @Order(4)
    void eachFlipIsAnEvent(ControlPlane cluster) {
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(events(cluster, "PeerBudgetExceeded", "{.items[*].type}")).isEqualTo("Warning");
            assertThat(events(cluster, "PeerBudgetExceeded", "{.items[*].message}"))
                    .contains("not counted per peer").contains("maxPeersPerPod 8");
            // the first True (no flip from anything) is no Event; the way back from False is one
            assertThat(events(cluster, "WithinBudget", "{.items[*].type}")).isEqualTo("Normal");
        });
    }

    private static String events(ControlPlane cluster, String reason, String path) {
        return cluster.kubectl("get", "events", "-n", appNs, "--field-selector",
                "reason=" + reason + ",involvedObject.name=web", "-o", "jsonpath=" + path).orThrow().strip();
    }

    // --- helpers ---

    /** A status peer in one line: who, then every counter as stored. */
    private static String describe(PeerWindow p) {
        String who = p.getName() != null ? p.getName() : p.getWorkloadKind() + " " + p.getWorkloadName();
        return p.getKind() + " " + (p.getNamespace() == null ? "" : p.getNamespace() + "/") + who + ":" + p.getPort()
                + " " + p.getConnections() + " conns " + p.getConnectFailures() + " failed "
                + p.getConnectFailureRatio() + " " + p.getRetransmits() + " retrans "
                + (p.getResetsSent() + p.getResetsReceived()) + " resets " + (p.getBytesSent() + p.getBytesReceived())
                + " bytes";
    }

    /** Node 0 and node 1 as their agents would write them, with these refusedFlows. */
    private static void writeReports(KubernetesClient client, String uid, Long refused0, Long refused1) {
        writeReport(client, node0, uid, counters(100, 10), refused0, List.of(
                peer("service", appNs, "inventory", null, 8080, "active", 60, 9L, 2, 0, 3600, 2400),
                peer("external", null, "corporate-vpn", null, 443, "active", 5, 1L, 4, 0, 250, 250),
                peer("pod", appNs, null, "checkout", 80, "passive", 40, 0L, 0, 0, 2000, 2000)));
        writeReport(client, node1, uid, counters(100, 10), refused1, List.of(
                peer("service", appNs, "inventory", null, 8080, "active", 40, 6L, 0, 0, 2400, 1600),
                peer("pod", appNs, "db-0", null, 5432, "active", 10, 0L, 10, 3, 500, 500),
                peer("node", null, node1, null, 10250, "active", 2, 0L, 0, 0, 100, 100),
                peer("pod", "elsewhere", null, null, 443, "active", 1, 0L, 0, 0, 10, 10)));
    }

    private static TrafficCounters counters(long connects, long failures) {
        TrafficCounters c = new TrafficCounters();
        c.setConnectsActive(connects);
        c.setConnectsPassive(20L);
        c.setConnectFailures(failures);
        return c;
    }

    private static PeerWindow peer(String kind, String namespace, String name, String deployment, int port,
            String direction, long connections, Long failures, long retransmits, long resetsReceived, long sent,
            long received) {
        PeerWindow p = new PeerWindow();
        p.setKind(kind);
        p.setNamespace(namespace);
        p.setName(name);
        if (deployment != null) {
            p.setWorkloadKind("Deployment");
            p.setWorkloadName(deployment);
        }
        p.setPort(port);
        p.setProtocol("tcp");
        p.setDirection(direction);
        p.setConnections(connections);
        p.setConnectFailures(failures);
        p.setRetransmits(retransmits);
        p.setResetsSent(0L);
        p.setResetsReceived(resetsReceived);
        p.setBytesSent(sent);
        p.setBytesReceived(received);
        return p;
    }

    private static void writeReport(KubernetesClient client, String node, String uid, TrafficCounters counters,
            Long refused, List<PeerWindow> peers) {
        Instant end = Instant.now();
        AgentReportSpec spec = new AgentReportSpec();
        spec.setNodeName(node);
        spec.setAgentVersion("0.1.0-it");
        spec.setWindowStart(end.minusSeconds(10).toString());
        spec.setWindowEnd(end.toString());
        spec.setProbes(List.of(attached(ProbeName.TCP_CONNECTIONS), attached(ProbeName.FLOWS)));
        MonitorWindow window = new MonitorWindow();
        window.setNamespace(appNs);
        window.setName("web");
        window.setUid(uid);
        window.setPods(1);
        window.setCounters(counters);
        window.setPeers(peers);
        window.setRefusedFlows(refused);
        spec.setMonitors(List.of(window));
        AgentReport report = new AgentReport();
        report.getMetadata().setName(node);
        report.getMetadata().setNamespace(opNs);
        report.setSpec(spec);
        client.resource(report).forceConflicts().serverSideApply();
    }

    private static NodeProbeStatus attached(ProbeName name) {
        NodeProbeStatus status = new NodeProbeStatus();
        status.setName(name);
        status.setState(NodeProbeState.ATTACHED);
        return status;
    }

    private static dev.sonde.api.v1alpha1.NetworkMonitorStatus status(KubernetesClient client) {
        NetworkMonitor m = client.resources(NetworkMonitor.class).inNamespace(appNs).withName("web").get();
        return m.getStatus() == null ? new dev.sonde.api.v1alpha1.NetworkMonitorStatus() : m.getStatus();
    }

    private static Condition condition(KubernetesClient client, String type) {
        List<Condition> conditions = status(client).getConditions();
        return conditions == null ? null
                : conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    }

    private static String readyReason(KubernetesClient client) {
        Condition ready = condition(client, "Ready");
        return ready == null ? null : ready.getReason();
    }

    private static String uid(KubernetesClient client) {
        return client.resources(NetworkMonitor.class).inNamespace(appNs).withName("web").get().getMetadata().getUid();
    }

    private static CompiledFlows flows(CompiledMonitor monitor) {
        return monitor.probes().stream().filter(p -> p.name() == ProbeName.FLOWS).findFirst().orElseThrow().flows();
    }

    private static AgentConfig awaitConfig(KubernetesClient client, java.util.function.Predicate<AgentConfig> until) {
        AgentConfig[] seen = new AgentConfig[1];
        await().atMost(WAIT).until(() -> {
            ConfigMap cm = client.configMaps().inNamespace(opNs).withName("sonde-agent-config").get();
            if (cm == null || cm.getData() == null || !cm.getData().containsKey(AgentConfig.CONFIG_MAP_KEY)) {
                return false;
            }
            seen[0] = AgentConfig.fromJson(cm.getData().get(AgentConfig.CONFIG_MAP_KEY));
            return until.test(seen[0]);
        });
        return seen[0];
    }

    private static Optional<CompiledMonitor> find(AgentConfig config, String namespace, String name) {
        return config.monitors().stream().filter(m -> m.namespace().equals(namespace) && m.name().equals(name))
                .findFirst();
    }

    private static void apply(ControlPlane cluster, String yaml) {
        cluster.kubectlWithInput(yaml, "apply", "-f", "-").orThrow();
    }

    private static String monitor(String name, String namespace) {
        return """
                apiVersion: sonde.dev/v1alpha1
                kind: NetworkMonitor
                metadata:
                  name: %s
                  namespace: %s
                spec:
                  profile: %s
                  podSelector:
                    matchLabels: {app: web}
                """.formatted(name, namespace, profile);
    }

    private static void createRunningPod(KubernetesClient client, String name, String node) {
        Pod pod = new PodBuilder().withNewMetadata().withName(name).withNamespace(appNs).addToLabels("app", "web")
                .endMetadata()
                .withNewSpec().withNodeName(node)
                .addNewToleration().withOperator("Exists").endToleration()
                .addNewContainer().withName("web").withImage("registry.invalid/web:1").endContainer().endSpec()
                .build();
        client.pods().inNamespace(appNs).resource(pod).create();
        await("pod " + name + " running on " + node).atMost(WAIT).until(() -> {
            Pod current = client.pods().inNamespace(appNs).withName(name).get();
            return current.getStatus() != null && "Running".equals(current.getStatus().getPhase());
        });
    }
}
