package dev.sonde.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sonde.api.agent.AgentConfig;
import dev.sonde.api.agent.CompiledMonitor;
import dev.sonde.api.v1alpha1.AgentReport;
import dev.sonde.api.v1alpha1.AgentReportSpec;
import dev.sonde.api.v1alpha1.KubeDuration;
import dev.sonde.api.v1alpha1.Log2Histogram;
import dev.sonde.api.v1alpha1.MonitorWindow;
import dev.sonde.api.v1alpha1.NodeProbeState;
import dev.sonde.api.v1alpha1.NodeProbeStatus;
import dev.sonde.api.v1alpha1.ProbeName;
import dev.sonde.api.v1alpha1.TrafficCounters;
import dev.sonde.testsupport.ControlPlane;
import dev.sonde.testsupport.LocalControlPlane;
import dev.sonde.testsupport.TestNamespace;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
 * The operator jar against the real local control plane, running as its ServiceAccount with the RBAC of
 * config/rbac: every assertion reads what the API server (through kubectl or the admin client) or the
 * operator's /metrics says. The test namespace is the operator's
 * namespace; monitors live in a second namespace, {@code <ns>-app}.
 */
@LocalControlPlane
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NetworkMonitorIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String AGENT_IMAGE = "registry.invalid/sonde-agent:it";

    private static OperatorProcess operator;
    private static String opNs;
    private static String appNs;
    private static String profile;
    private static String kwokNode0;
    private static String kwokNode1;
    private static List<HasMetadata> rbac = List.of();

    @BeforeAll
    static void startOperator(ControlPlane cluster, KubernetesClient client, TestNamespace ns) {
        cluster.installCrds();
        opNs = ns.name();
        appNs = ns.name() + "-app";
        profile = ns.name() + "-std";
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(appNs)
                .addToLabels("sonde.dev/test-namespace", "true").addToLabels("team", "shop").endMetadata().build())
                .create();
        List<String> kwokNodes = client.nodes().list().getItems().stream()
                .map(n -> n.getMetadata().getName()).filter(n -> n.startsWith("kwok-")).sorted().toList();
        assertThat(kwokNodes).hasSizeGreaterThanOrEqualTo(2);
        kwokNode0 = kwokNodes.get(0);
        kwokNode1 = kwokNodes.get(1);
        rbac = OperatorServiceAccount.install(cluster, client, opNs);
        Path kubeconfig = OperatorServiceAccount.kubeconfig(cluster, opNs, Path.of("target", opNs + ".kubeconfig"));
        operator = new OperatorProcess(kubeconfig, opNs, Map.of(
                "sonde.operator.namespace", opNs,
                "sonde.operator.agent.image", AGENT_IMAGE,
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
            client.resources(dev.sonde.api.v1alpha1.ProbeProfile.class).withName(profile).delete();
        }
        if (appNs != null && !"true".equals(System.getenv("SONDE_KEEP_NAMESPACES"))) {
            client.namespaces().withName(appNs).delete();
        }
    }

    @Test
    @Order(1)
    void operatorJudgedProblemsGiveReasonsWithoutRequeueStorm(ControlPlane cluster) throws Exception {
        apply(cluster, monitor("missing", appNs, profile, "app: web", null, false));
        apply(cluster, monitor("forbidden", appNs, profile, "app: web", "team: shop", false));

        awaitReady(cluster, appNs, "missing", "False", "ProfileNotFound");
        awaitReady(cluster, appNs, "forbidden", "False", "ProfileNotFound");
        // the forbidden selector is judged once the profile exists; first check nothing loops while it is missing
        Thread.sleep(3_000);
        double before = reconciles();
        Thread.sleep(10_000);
        assertThat(reconciles()).as("reconciles of invalid monitors over 10s").isEqualTo(before);

        assertThat(cluster.kubectl("get", "events", "-n", appNs, "--field-selector",
                "reason=ProfileNotFound,involvedObject.name=missing", "-o", "name").orThrow()).isNotBlank();

        apply(cluster, profileYaml(profile, "5s"));
        // ProfileNotFound recovers by itself when the profile appears
        assertThat(cluster.kubectl("wait", "--for=condition=Ready", "--timeout=60s", "-n", appNs,
                "networkmonitor/missing").orThrow()).contains("condition met");
        assertThat(readyReason(cluster, appNs, "missing")).isEqualTo("NoPodsSelected");
        awaitReady(cluster, appNs, "forbidden", "False", "NamespaceSelectorForbidden");
        assertThat(jsonpath(cluster, appNs, "forbidden", "{.status.conditions[0].message}"))
                .contains("namespaceSelector is only honoured");

        await().atMost(WAIT).untilAsserted(() -> {
            String table = cluster.kubectl("get", "probeprofiles", profile).orThrow();
            assertThat(table.lines().findFirst().orElseThrow().split("\\s+"))
                    .containsExactly("NAME", "PROBES", "INTERVAL", "OVERHEAD", "MONITORS", "AGE");
            assertThat(table.lines().skip(1).findFirst().orElseThrow().split("\\s+"))
                    .startsWith(profile, "tcpConnections,tcpRetransmits", "5s", "low", "2");
        });
        assertThat(cluster.kubectl("wait", "--for=condition=Ready", "--timeout=60s", "probeprofile/" + profile)
                .orThrow()).contains("condition met");

        Thread.sleep(3_000);
        double settled = reconciles();
        Thread.sleep(10_000);
        assertThat(reconciles()).as("reconciles over 10s with nothing changing").isEqualTo(settled);
    }

    @Test
    @Order(2)
    void trustedNamespaceSelectorAndCompiledConfig(ControlPlane cluster, KubernetesClient client) {
        apply(cluster, monitor("fleetwide", opNs, profile, "app: web", "team: shop", false));
        awaitReady(cluster, opNs, "fleetwide", "True", "NoPodsSelected");

        AgentConfig config = awaitConfig(client, c -> find(c, opNs, "fleetwide").isPresent());
        assertThat(find(config, opNs, "fleetwide").orElseThrow().namespaces()).containsExactly(appNs);
        assertThat(find(config, appNs, "missing")).isPresent();
        assertThat(find(config, appNs, "forbidden")).as("forbidden monitors are not compiled").isEmpty();
        ConfigMap cm = client.configMaps().inNamespace(opNs).withName("sonde-agent-config").get();
        assertThat(cm.getMetadata().getAnnotations()).containsEntry(AgentConfig.HASH_ANNOTATION, config.hash());

        // a namespace gaining the label joins the resolved list
        String extra = opNs + "-extra";
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(extra)
                .addToLabels("sonde.dev/test-namespace", "true").addToLabels("team", "shop").endMetadata().build())
                .create();
        try {
            AgentConfig widened = awaitConfig(client, c -> find(c, opNs, "fleetwide")
                    .map(m -> m.namespaces().contains(extra)).orElse(false));
            assertThat(find(widened, opNs, "fleetwide").orElseThrow().namespaces()).containsExactly(appNs, extra);
            cluster.kubectl("label", "namespace", extra, "team-").orThrow();
            awaitConfig(client, c -> find(c, opNs, "fleetwide").map(m -> !m.namespaces().contains(extra)).orElse(false));
        } finally {
            client.namespaces().withName(extra).delete();
        }
    }

    @Test
    @Order(3)
    void agentDaemonSet(ControlPlane cluster) {
        await().atMost(WAIT).until(() -> cluster.kubectl("get", "daemonset", "-n", opNs, "sonde-agent").succeeded());
        String container = cluster.kubectl("get", "daemonset", "-n", opNs, "sonde-agent", "-o",
                "jsonpath={.spec.template.spec.containers[0]}").orThrow();
        assertThat(container)
                .contains("\"image\":\"" + AGENT_IMAGE + "\"")
                .contains("\"readOnlyRootFilesystem\":true")
                .contains("\"drop\":[\"ALL\"]")
                .contains("\"add\":[\"BPF\",\"PERFMON\",\"NET_ADMIN\"]")
                .contains("\"fieldPath\":\"spec.nodeName\"")
                .doesNotContain("\"privileged\":true");
        String volumes = cluster.kubectl("get", "daemonset", "-n", opNs, "sonde-agent", "-o",
                "jsonpath={range .spec.template.spec.volumes[*]}{.hostPath.path}{\" \"}{end}").orThrow();
        assertThat(volumes.split(" ")).contains("/sys/fs/bpf", "/sys/kernel/btf", "/sys/kernel/tracing", "/sys/fs/cgroup");
        String tolerations = cluster.kubectl("get", "daemonset", "-n", opNs, "sonde-agent", "-o",
                "jsonpath={.spec.template.spec.tolerations}").orThrow();
        assertThat(tolerations).contains("Exists");
        // config changes don't roll the agents: the hash is on the ConfigMap only
        assertThat(cluster.kubectl("get", "daemonset", "-n", opNs, "sonde-agent", "-o",
                "jsonpath={.spec.template.metadata.annotations}").orThrow()).doesNotContain("config-hash");
    }

    @Test
    @Order(4)
    void aggregatesSyntheticReports(ControlPlane cluster, KubernetesClient client) {
        createRunningPod(client, "web-0", kwokNode0);
        createRunningPod(client, "web-1", kwokNode1);
        apply(cluster, monitor("web", appNs, profile, "app: web", null, false));
        awaitReady(cluster, appNs, "web", "False", "AgentsNotReporting");
        assertThat(jsonpath(cluster, appNs, "web", "{.status.nodes.summary}")).isEqualTo("0/2");
        String uid = client.resources(dev.sonde.api.v1alpha1.NetworkMonitor.class).inNamespace(appNs).withName("web")
                .get().getMetadata().getUid();

        // node 0: 1000 segments, 15 retransmits; node 1: 3000 segments, 65 retransmits -> 80/4000 = 0.02 (Degraded)
        writeReport(client, kwokNode0, uid, 1000, 15, hist(10, 100), NodeProbeState.ATTACHED);
        writeReport(client, kwokNode1, uid, 3000, 65, hist(12, 2), NodeProbeState.ATTACHED);
        awaitReady(cluster, appNs, "web", "True", "Monitoring");
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(jsonpath(cluster, appNs, "web", "{.status.nodes.summary}")).isEqualTo("2/2");
            assertThat(jsonpath(cluster, appNs, "web", "{.status.summary.retransmitRatio}")).isEqualTo("0.02");
            assertThat(jsonpath(cluster, appNs, "web", "{.status.health}")).isEqualTo("Degraded");
        });
        assertThat(jsonpath(cluster, appNs, "web", "{.status.pods.matched}")).isEqualTo("2");
        assertThat(jsonpath(cluster, appNs, "web", "{.status.healthReasons[0].threshold}")).isEqualTo("retransmitRatio");
        // 100 connects in [1024us, 2048us) and 2 in [4096us, 8192us): p99 (rank 100.98) lies in the upper bucket
        Duration p99 = KubeDuration.parse(jsonpath(cluster, appNs, "web", "{.status.summary.connectLatencyP99}"));
        assertThat(p99).isBetween(Duration.ofNanos(4_096_000), Duration.ofNanos(8_192_000));
        Duration p50 = KubeDuration.parse(jsonpath(cluster, appNs, "web", "{.status.summary.connectLatencyP50}"));
        assertThat(p50).isBetween(Duration.ofNanos(1_024_000), Duration.ofNanos(2_048_000));
        // 2 outbound connects per node, 2 nodes, over a 5s window
        assertThat(jsonpath(cluster, appNs, "web", "{.status.summary.connectionsPerSecond}")).isEqualTo("0.8");

        // the printer columns, as a user sees them
        String table = cluster.kubectl("get", "networkmonitors", "-n", appNs, "web").orThrow();
        assertThat(table.lines().findFirst().orElseThrow().split("\\s+"))
                .containsExactly("NAME", "PROFILE", "PODS", "NODES", "HEALTH", "RETRANS", "CONNECT-P99", "AGE");
        assertThat(table.lines().skip(1).findFirst().orElseThrow().split("\\s+"))
                .startsWith("web", profile, "2", "2/2", "Degraded", "0.02");

        // worse: Critical; then better: Healthy, both directions
        writeReport(client, kwokNode0, uid, 1000, 100, hist(10, 100), NodeProbeState.ATTACHED);
        writeReport(client, kwokNode1, uid, 1000, 100, hist(12, 2), NodeProbeState.ATTACHED);
        awaitHealth(cluster, "Critical");
        await().atMost(WAIT).untilAsserted(() -> assertThat(cluster.kubectl("get", "events", "-n", appNs,
                "--field-selector", "reason=HealthCritical,involvedObject.name=web", "-o",
                "jsonpath={.items[*].message}").orThrow()).contains("retransmit ratio 10% is above the critical level 5%"));
        writeReport(client, kwokNode0, uid, 10_000, 1, hist(10, 100), NodeProbeState.ATTACHED);
        writeReport(client, kwokNode1, uid, 10_000, 1, hist(12, 2), NodeProbeState.ATTACHED);
        awaitHealth(cluster, "Healthy");
        assertThat(jsonpath(cluster, appNs, "web", "{.status.healthReasons}")).isIn("", "[]");
        // (300 + 1) / (1000 + 10000) = 0.027: Degraded again
        writeReport(client, kwokNode0, uid, 1000, 300, hist(10, 100), NodeProbeState.ATTACHED);
        awaitHealth(cluster, "Degraded");

        String metrics = operator.metrics();
        assertThat(OperatorProcess.sample(metrics, "sonde_monitors", "health=\"Degraded\"")).isGreaterThanOrEqualTo(1);
        assertThat(metrics).as("the Java Operator SDK's own Micrometer metrics").contains("operator_sdk_");
        assertThat(OperatorProcess.sample(metrics, "sonde_operator_reconcile_duration_seconds_count",
                "controller=\"networkmonitor\"")).isGreaterThan(0);

        // node 1 stops reporting: after 3 intervals (15s) it counts as not ready, node 0 keeps the monitor Ready
        await().atMost(WAIT).untilAsserted(() -> {
            writeReport(client, kwokNode0, uid, 1000, 5, hist(10, 100), NodeProbeState.ATTACHED);
            assertThat(jsonpath(cluster, appNs, "web", "{.status.nodes.summary}")).isEqualTo("1/2");
        });
        assertThat(jsonpath(cluster, appNs, "web", "{.status.nodes.failed}")).isEqualTo("1");
        assertThat(OperatorProcess.sample(operator.metrics(), "sonde_monitor_nodes", "state=\"failed\""))
                .as("sonde_monitor_nodes{state=\"failed\"}, for the alert SondeMonitorNodesFailed").isGreaterThanOrEqualTo(1.0);
        assertThat(readyReason(cluster, appNs, "web")).isEqualTo("Monitoring");

        // a failed probe makes its node not ready, and shows in the per-probe state
        writeReport(client, kwokNode0, uid, 1000, 5, hist(10, 100), NodeProbeState.FAILED);
        awaitReady(cluster, appNs, "web", "False", "AgentsNotReporting");
        assertThat(jsonpath(cluster, appNs, "web", "{.status.probes[?(@.name==\"tcpRetransmits\")].state}"))
                .isEqualTo("Failed");
        // and on /metrics, node by node (node 1's last report still has it Attached), for the alert rules
        String probeMetrics = operator.metrics();
        assertThat(OperatorProcess.sample(probeMetrics, "sonde_probe_nodes", "probe=\"tcpRetransmits\",state=\"Failed\""))
                .isEqualTo(1.0);
        assertThat(OperatorProcess.sample(probeMetrics, "sonde_probe_nodes", "probe=\"tcpConnections\",state=\"Attached\""))
                .isEqualTo(2.0);

        // everything stale: no data, health Unknown
        await().atMost(WAIT).untilAsserted(() ->
                assertThat(jsonpath(cluster, appNs, "web", "{.status.health}")).isEqualTo("Unknown"));
        assertThat(readyReason(cluster, appNs, "web")).isEqualTo("AgentsNotReporting");
    }

    @Test
    @Order(5)
    void pauseUpdateDelete(ControlPlane cluster, KubernetesClient client) {
        AgentConfig before = awaitConfig(client, c -> find(c, appNs, "web").isPresent());
        int index = find(before, appNs, "web").orElseThrow().index();
        String uid = client.resources(dev.sonde.api.v1alpha1.NetworkMonitor.class).inNamespace(appNs).withName("web")
                .get().getMetadata().getUid();
        writeReport(client, kwokNode0, uid, 1000, 5, hist(10, 100), NodeProbeState.ATTACHED);
        writeReport(client, kwokNode1, uid, 1000, 5, hist(10, 100), NodeProbeState.ATTACHED);
        awaitReady(cluster, appNs, "web", "True", "Monitoring");
        await().atMost(WAIT).untilAsserted(() -> assertThat(
                jsonpath(cluster, appNs, "web", "{.status.summary.retransmitRatio}")).isEqualTo("0.005"));

        cluster.kubectl("patch", "networkmonitor", "-n", appNs, "web", "--type=merge", "-p", "{\"spec\":{\"paused\":true}}")
                .orThrow();
        awaitReady(cluster, appNs, "web", "True", "Paused");
        awaitConfig(client, c -> find(c, appNs, "web").isEmpty());
        assertThat(jsonpath(cluster, appNs, "web", "{.status.summary.retransmitRatio}"))
                .as("a paused monitor keeps its last summary").isNotEmpty();

        cluster.kubectl("patch", "networkmonitor", "-n", appNs, "web", "--type=merge", "-p", "{\"spec\":{\"paused\":false}}")
                .orThrow();
        AgentConfig resumed = awaitConfig(client, c -> find(c, appNs, "web").isPresent());
        assertThat(find(resumed, appNs, "web").orElseThrow().index()).isEqualTo(index);

        cluster.kubectl("patch", "networkmonitor", "-n", appNs, "web", "--type=merge", "-p",
                "{\"spec\":{\"podSelector\":{\"matchLabels\":{\"app\":\"nothing\"}}}}").orThrow();
        awaitReady(cluster, appNs, "web", "True", "NoPodsSelected");
        String generation = jsonpath(cluster, appNs, "web", "{.metadata.generation}");
        assertThat(jsonpath(cluster, appNs, "web", "{.status.observedGeneration}")).isEqualTo(generation);
        awaitConfig(client, c -> find(c, appNs, "web").map(m -> m.podSelector().matchLabels().containsValue("nothing"))
                .orElse(false));

        String monitorsBefore = cluster.kubectl("get", "probeprofile", profile, "-o", "jsonpath={.status.monitors}")
                .orThrow();
        cluster.kubectl("delete", "networkmonitor", "-n", appNs, "web", "--wait=true").orThrow();
        awaitConfig(client, c -> find(c, appNs, "web").isEmpty());
        await().atMost(WAIT).untilAsserted(() -> assertThat(cluster.kubectl("get", "probeprofile", profile, "-o",
                "jsonpath={.status.monitors}").orThrow()).isEqualTo(String.valueOf(Integer.parseInt(monitorsBefore) - 1)));
    }

    @Test
    @Order(6)
    void moreThanSixtyFourMonitorsAreAllCompiledAndReadyAndOutliveTheConfigsDeletion(ControlPlane cluster,
            KubernetesClient client) {
        // The kernel's selection mask is 64 bits, but it only says "selected": monitors are not capped at 64.
        int count = 70;
        StringBuilder yaml = new StringBuilder();
        for (int i = 0; i < count; i++) {
            yaml.append("---\n").append(monitor("bulk-%02d".formatted(i), appNs, profile, "app: bulk", null, false));
        }
        apply(cluster, yaml.toString());
        AgentConfig config = awaitConfig(client, c -> c.monitors().stream()
                .filter(m -> m.namespace().equals(appNs) && m.name().startsWith("bulk-")).count() == count);
        assertThat(config.monitors()).extracting(CompiledMonitor::index).doesNotHaveDuplicates();
        for (int i = 0; i < count; i++) {
            awaitReady(cluster, appNs, "bulk-%02d".formatted(i), "True", "NoPodsSelected");
        }

        // Deleting the compiled config: the fleet writes it again, and every monitor (each may have been judged
        // ConfigPending while it was gone) ends compiled, as does one created meanwhile.
        String before = client.configMaps().inNamespace(opNs).withName("sonde-agent-config").get().getMetadata()
                .getUid();
        client.configMaps().inNamespace(opNs).withName("sonde-agent-config").delete();
        apply(cluster, monitor("bulk-late", appNs, profile, "app: bulk", null, false));
        awaitConfig(client, c -> c.monitors().stream()
                .filter(m -> m.namespace().equals(appNs) && m.name().startsWith("bulk-")).count() == count + 1);
        assertThat(client.configMaps().inNamespace(opNs).withName("sonde-agent-config").get().getMetadata().getUid())
                .as("a new ConfigMap").isNotEqualTo(before);
        awaitReady(cluster, appNs, "bulk-late", "True", "NoPodsSelected");
        for (int i = 0; i < count; i++) {
            awaitReady(cluster, appNs, "bulk-%02d".formatted(i), "True", "NoPodsSelected");
        }
        List<String> cleanup = new ArrayList<>(List.of("delete", "--ignore-not-found", "-n", appNs));
        for (int i = 0; i < count; i++) {
            cleanup.add("networkmonitor/bulk-%02d".formatted(i));
        }
        cleanup.add("networkmonitor/bulk-late");
        cluster.kubectl(cleanup.toArray(String[]::new)).orThrow();
    }

    @Test
    @Order(7)
    void standbyTakesOverAndRestartLosesNothing(ControlPlane cluster, KubernetesClient client) throws Exception {
        if (!operator.alive()) {
            // it lost its Lease earlier (a renewal missed its 10 s deadline on a loaded machine) and exited, as
            // designed; a kubelet would restart it, and so does this harness
            System.out.println("the operator had exited, see " + operator.log() + "; restarting it as a kubelet would");
            operator.launch();
            operator.awaitLeading();
        }
        String leader = cluster.kubectl("get", "lease", "-n", opNs, "sonde-operator-leader", "-o",
                "jsonpath={.spec.holderIdentity}").orThrow();
        OperatorProcess standby = new OperatorProcess(Path.of("target", opNs + ".kubeconfig"), opNs + "-standby",
                Map.of("sonde.operator.namespace", opNs,
                        "sonde.operator.agent.image", AGENT_IMAGE,
                        "quarkus.operator-sdk.controllers.networkmonitor.namespaces", opNs + "," + appNs));
        standby.launch();
        try {
            await().atMost(WAIT).until(() -> Files.exists(standby.log())
                    && Files.readString(standby.log()).contains("Installed features"));
            assertThat(standby.leading()).as("a second replica waits for the Lease").isFalse();
            assertThat(cluster.kubectl("get", "lease", "-n", opNs, "sonde-operator-leader", "-o",
                    "jsonpath={.spec.holderIdentity}").orThrow()).isEqualTo(leader);

            assertThat(operator.stop()).as("the leader exits on SIGTERM, see " + operator.log()).isTrue();
            // while no operator leads: a new monitor, and a monitor losing its profile
            apply(cluster, monitor("late", appNs, profile, "app: web", null, false));
            cluster.kubectl("patch", "networkmonitor", "-n", appNs, "missing", "--type=merge", "-p",
                    "{\"spec\":{\"profile\":\"" + profile + "-gone\"}}").orThrow();

            standby.awaitLeading();
            assertThat(cluster.kubectl("get", "lease", "-n", opNs, "sonde-operator-leader", "-o",
                    "jsonpath={.spec.holderIdentity}").orThrow()).isNotEqualTo(leader);
            awaitReady(cluster, appNs, "late", "False", "AgentsNotReporting");
            awaitReady(cluster, appNs, "missing", "False", "ProfileNotFound");
            AgentConfig config = awaitConfig(client, c -> find(c, appNs, "late").isPresent()
                    && find(c, appNs, "missing").isEmpty());
            assertThat(find(config, opNs, "fleetwide")).isPresent();
            assertThat(standby.stop()).as("the standby-turned-leader exits on SIGTERM").isTrue();
        } finally {
            standby.close();
        }

        // and a plain restart of the only replica converges again
        cluster.kubectl("patch", "networkmonitor", "-n", appNs, "missing", "--type=merge", "-p",
                "{\"spec\":{\"profile\":\"" + profile + "\"}}").orThrow();
        operator.start();
        awaitReady(cluster, appNs, "missing", "False", "AgentsNotReporting");
        awaitConfig(client, c -> find(c, appNs, "missing").isPresent());
    }

    // --- helpers ---

    private static double reconciles() {
        return OperatorProcess.sample(operator.metrics(), "sonde_operator_reconciles_total",
                "controller=\"networkmonitor\"");
    }

    private static void awaitHealth(ControlPlane cluster, String health) {
        await().atMost(WAIT).untilAsserted(() ->
                assertThat(jsonpath(cluster, appNs, "web", "{.status.health}")).isEqualTo(health));
    }

    private static void awaitReady(ControlPlane cluster, String namespace, String name, String status, String reason) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            assertThat(jsonpath(cluster, namespace, name, "{.status.conditions[?(@.type==\"Ready\")].status}"))
                    .isEqualTo(status);
            assertThat(readyReason(cluster, namespace, name)).isEqualTo(reason);
        });
    }

    private static String readyReason(ControlPlane cluster, String namespace, String name) {
        return jsonpath(cluster, namespace, name, "{.status.conditions[?(@.type==\"Ready\")].reason}");
    }

    private static String jsonpath(ControlPlane cluster, String namespace, String name, String path) {
        return cluster.kubectl("get", "networkmonitor", "-n", namespace, name, "-o", "jsonpath=" + path).orThrow()
                .strip();
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

    private static String profileYaml(String name, String interval) {
        return """
                apiVersion: sonde.dev/v1alpha1
                kind: ProbeProfile
                metadata:
                  name: %s
                spec:
                  interval: %s
                  probes:
                    - name: tcpConnections
                    - name: tcpRetransmits
                  health:
                    retransmitRatio: {degraded: 0.01, critical: 0.05}
                    connectLatencyP99: {degraded: 1s, critical: 2s}
                """.formatted(name, interval);
    }

    private static String monitor(String name, String namespace, String profileName, String podLabels,
            String namespaceLabels, boolean paused) {
        return """
                apiVersion: sonde.dev/v1alpha1
                kind: NetworkMonitor
                metadata:
                  name: %s
                  namespace: %s
                spec:
                  profile: %s
                  paused: %s
                  podSelector:
                    matchLabels: {%s}
                """.formatted(name, namespace, profileName, paused, podLabels)
                + (namespaceLabels == null ? "" : "  namespaceSelector:\n    matchLabels: {" + namespaceLabels + "}\n");
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

    private static Log2Histogram hist(int bucket, long count) {
        List<Long> buckets = new ArrayList<>();
        for (int i = 0; i < bucket; i++) {
            buckets.add(0L);
        }
        buckets.add(count);
        return new Log2Histogram(Log2Histogram.MICROSECONDS, buckets, count * (long) Log2Histogram.lowerBound(bucket));
    }

    /** An AgentReport as the node's agent writes it: a 5s window ending now. */
    private static void writeReport(KubernetesClient client, String node, String uid, long segments, long retransmits,
            Log2Histogram connectLatency, NodeProbeState retransmitProbe) {
        Instant end = Instant.now();
        AgentReportSpec spec = new AgentReportSpec();
        spec.setNodeName(node);
        spec.setAgentVersion("0.1.0-it");
        spec.setWindowStart(end.minusSeconds(5).toString());
        spec.setWindowEnd(end.toString());
        spec.setProbes(List.of(
                probe(ProbeName.TCP_CONNECTIONS, NodeProbeState.ATTACHED),
                probe(ProbeName.TCP_RETRANSMITS, retransmitProbe)));
        TrafficCounters counters = new TrafficCounters();
        counters.setSegmentsSent(segments);
        counters.setRetransmits(retransmits);
        counters.setConnectsActive(2L);
        counters.setConnectsPassive(0L);
        counters.setConnectFailures(0L);
        MonitorWindow window = new MonitorWindow();
        window.setNamespace(appNs);
        window.setName("web");
        window.setUid(uid);
        window.setPods(1);
        window.setCounters(counters);
        window.setConnectLatency(connectLatency);
        spec.setMonitors(List.of(window));
        AgentReport report = new AgentReport();
        report.getMetadata().setName(node);
        report.getMetadata().setNamespace(opNs);
        report.setSpec(spec);
        client.resource(report).forceConflicts().serverSideApply();
    }

    private static NodeProbeStatus probe(ProbeName name, NodeProbeState state) {
        NodeProbeStatus status = new NodeProbeStatus();
        status.setName(name);
        status.setState(state);
        if (state == NodeProbeState.FAILED) {
            status.setReason("AttachFailed");
            status.setMessage("libbpf: -EINVAL");
        }
        return status;
    }
}
