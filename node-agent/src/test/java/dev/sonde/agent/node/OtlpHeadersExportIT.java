package dev.sonde.agent.node;

import static dev.sonde.agent.node.LocalNode.CONFIG_MAP;
import static dev.sonde.agent.node.LocalNode.awaitReport;
import static dev.sonde.agent.node.LocalNode.client;
import static dev.sonde.agent.node.LocalNode.createPod;
import static dev.sonde.agent.node.LocalNode.netload;
import static dev.sonde.agent.node.LocalNode.readyPort;
import static dev.sonde.agent.node.LocalNode.writeConfig;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sonde.agent.pods.PodCgroupResolver;
import dev.sonde.agent.probe.KernelCapabilities;
import dev.sonde.agent.probe.KernelProbes;
import dev.sonde.securemetrics.MetricsListenerOptions;
import dev.sonde.api.agent.AgentConfig;
import dev.sonde.api.agent.CompiledExport;
import dev.sonde.api.agent.CompiledMonitor;
import dev.sonde.api.agent.CompiledProbe;
import dev.sonde.api.agent.CompiledSelector;
import dev.sonde.api.agent.OtlpHeaders;
import dev.sonde.api.v1alpha1.MonitorWindow;
import dev.sonde.api.v1alpha1.MonitorWindowState;
import dev.sonde.api.v1alpha1.OtlpProtocol;
import dev.sonde.api.v1alpha1.ProbeName;
import dev.sonde.testsupport.ControlPlane;
import dev.sonde.testsupport.LocalControlPlane;
import dev.sonde.testsupport.OtelCollector;
import dev.sonde.testsupport.TestNamespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * headersSecretRef end to end on the agent's side, against a real OpenTelemetry Collector that refuses requests
 * without {@code Authorization: Bearer <token>}: the agent takes the headers from the operator's copy
 * ({@code sonde-otlp-headers}, written here as the operator writes it), sends nothing while there is none, is
 * refused with a wrong token (and counts what it dropped), and delivers every count once the Secret carries the
 * right token: rotation without a restart.
 */
@LocalControlPlane
class OtlpHeadersExportIT {

    private static final String TOKEN = "s0nde-" + UUID.randomUUID();
    private static final int CONNECTS = 7;

    private static KubeletCgroups kubelet;
    private static NodeAgent agent;
    private static OtelCollector collector;
    private static KubernetesClient podClient;
    private static String podNamespace;

    @BeforeAll
    static void requireRoot() {
        LocalNode.requireRoot(OtlpHeadersExportIT.class);
    }

    @AfterAll
    static void stop() throws Exception {
        LocalNode.closeAll(agent, collector, kubelet);
        LocalNode.deletePodsNow(podClient, podNamespace);
    }

    @Test
    void exportsOnlyWithTheSecretsTokenAndFollowsItsRotation(ControlPlane cluster, KubernetesClient client,
            TestNamespace ns) throws Exception {
        cluster.installCrds();
        collector = OtelCollector.startRequiringBearerToken(TOKEN);
        String node = cluster.hostNode();
        podClient = client;
        podNamespace = ns.name();
        Pod web = createPod(client, ns, node, "web-1", "web");
        KernelCapabilities caps = KernelCapabilities.detect();
        Path cgroupRoot = caps.cgroup2Mount().orElseThrow(() -> new AssertionError("no cgroup2 mount"));
        kubelet = new KubeletCgroups(cgroupRoot);
        Path webCgroup = kubelet.besteffortContainer(web.getMetadata().getUid());

        CompiledMonitor grpc = monitor(ns, "auth-grpc", 0, collector.grpcEndpoint(), OtlpProtocol.GRPC);
        CompiledMonitor http = monitor(ns, "auth-http", 1, collector.httpEndpoint(), OtlpProtocol.HTTP_PROTOBUF);
        writeConfig(client, ns, AgentConfig.of(List.of(grpc, http)));
        agent = new NodeAgent(client, KernelProbes.load(KernelProbes.Config.defaults(), caps), caps,
                new PodCgroupResolver(cgroupRoot, List.of("/")),
                new NodeAgent.Settings(node, ns.name(), CONFIG_MAP, "test", new InetSocketAddress("127.0.0.1", 0),
                        MetricsListenerOptions.insecure(), // plain HTTP: this test is about OTLP headers
                        null, NodeAgent.DEFAULT_MAX_SERIES), Clock.systemUTC());
        agent.start();
        awaitReport(client, ns, node, report -> report.getSpec().getMonitors().stream()
                .filter(w -> w.getState() == MonitorWindowState.ACTIVE).mapToInt(MonitorWindow::getPods).sum() == 2,
                "both monitors active (headersSecret is no longer rejected), each selecting web-1");

        // Ground truth: the client's own count of established connections.
        Process server = kubelet.runIn(kubelet.besteffortContainer(UUID.randomUUID().toString()), "python3",
                netload(), "server", "--conns", String.valueOf(CONNECTS));
        assertThat(client(kubelet, webCgroup, readyPort(server), CONNECTS)).containsEntry("ok", CONNECTS);
        assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();

        // 1. No copy of the headers yet: nothing is sent (not even unauthenticated), the points count as dropped.
        awaitDropped("headers_missing", 1);
        assertThat(collector.dataPoints()).isEmpty();

        // 2. A wrong token: the collector refuses every export; the agent counts the failures.
        writeHeaders(client, ns, Map.of(grpc.uid(), "Bearer wrong-" + TOKEN, http.uid(), "Bearer wrong-" + TOKEN));
        long failedBefore = dropped("export_failed");
        awaitDropped("export_failed", failedBefore + 1);
        long missing = dropped("headers_missing");
        Thread.sleep(2_500); // two more export intervals, still refused
        assertThat(dropped("export_failed")).isGreaterThan(failedBefore);
        assertThat(dropped("headers_missing")).as("the headers are there now").isEqualTo(missing);
        assertThat(collector.dataPoints()).as("a refused export delivers nothing").isEmpty();

        // 3. The Secret rotated to the right token: a new exporter, and the cumulative counts arrive whole.
        writeHeaders(client, ns, Map.of(grpc.uid(), "Bearer " + TOKEN, http.uid(), "Bearer " + TOKEN));
        for (String monitor : List.of("auth-grpc", "auth-http")) {
            collector.awaitDataPoints(points -> points.stream().anyMatch(p -> p.metric().equals("sonde.tcp.connections")
                    && "active".equals(p.attributes().get("direction")) && p.value() == CONNECTS
                    && (ns.name() + "/" + monitor).equals(p.resource().get("sonde.monitor"))
                    && "web-1".equals(p.resource().get("k8s.pod.name"))), Duration.ofSeconds(60));
        }
        long failedAfterRotation = dropped("export_failed");
        Thread.sleep(2_500);
        assertThat(dropped("export_failed")).as("no export fails after the rotation").isEqualTo(failedAfterRotation);
        server.destroyForcibly();
    }

    private static CompiledMonitor monitor(TestNamespace ns, String name, int index, String endpoint,
            OtlpProtocol protocol) {
        return new CompiledMonitor(ns.name(), name, "uid-" + name, index, "standard", 1000,
                List.of(CompiledProbe.of(ProbeName.TCP_CONNECTIONS)), List.of(ns.name()),
                new CompiledSelector(Map.of("app", "web"), List.of()), null,
                new CompiledExport(new CompiledExport.Otlp(endpoint, protocol,
                        new CompiledExport.SecretRef(ns.name(), "otlp-headers")), true));
    }

    /** What the operator writes: one key per monitor uid, its headers as JSON. */
    private static void writeHeaders(KubernetesClient client, TestNamespace ns, Map<String, String> authorization) {
        SecretBuilder secret = new SecretBuilder().withNewMetadata().withName(OtlpHeaders.SECRET_NAME)
                .withNamespace(ns.name()).endMetadata();
        authorization.forEach((uid, value) -> secret.addToData(uid, Base64.getEncoder().encodeToString(
                OtlpHeaders.toJson(Map.of("Authorization", value)).getBytes(StandardCharsets.UTF_8))));
        client.secrets().inNamespace(ns.name()).resource(secret.build()).forceConflicts().serverSideApply();
    }

    private static void awaitDropped(String reason, long atLeast) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long last;
        while ((last = dropped(reason)) < atLeast) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("sonde_agent_datapoints_dropped_total{reason=\"" + reason + "\"} stayed at "
                        + last + ", expected at least " + atLeast + "\n" + collectorLog());
            }
            Thread.sleep(250);
        }
    }

    private static String collectorLog() throws java.io.IOException {
        List<String> lines = java.nio.file.Files.readAllLines(collector.log());
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    /** The agent's own count, from its /metrics. */
    private static long dropped(String reason) throws Exception {
        InetSocketAddress address = agent.metricsAddress();
        String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + address.getPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("(?m)^sonde_agent_datapoints_dropped_total\\{[^}]*reason=\"" + reason
                + "\"[^}]*} ([0-9.eE+]+)").matcher(body);
        return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
    }
}
