package dev.sonde.agent.node;

import static dev.sonde.agent.node.LocalNode.CONFIG_MAP;
import static dev.sonde.agent.node.LocalNode.awaitReport;
import static dev.sonde.agent.node.LocalNode.client;
import static dev.sonde.agent.node.LocalNode.createPod;
import static dev.sonde.agent.node.LocalNode.netload;
import static dev.sonde.agent.node.LocalNode.readyPort;
import static dev.sonde.agent.node.LocalNode.writeConfigJson;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sonde.agent.pods.PodCgroupResolver;
import dev.sonde.agent.probe.KernelCapabilities;
import dev.sonde.agent.probe.KernelProbes;
import dev.sonde.api.agent.AgentConfig;
import dev.sonde.api.agent.CompiledExport;
import dev.sonde.api.agent.CompiledMonitor;
import dev.sonde.api.agent.CompiledProbe;
import dev.sonde.api.agent.CompiledSelector;
import dev.sonde.api.v1alpha1.AgentReport;
import dev.sonde.api.v1alpha1.MonitorWindow;
import dev.sonde.api.v1alpha1.MonitorWindowState;
import dev.sonde.api.v1alpha1.OtlpProtocol;
import dev.sonde.api.v1alpha1.ProbeName;
import dev.sonde.securemetrics.MetricsListenerOptions;
import dev.sonde.testsupport.Bpftool;
import dev.sonde.testsupport.ControlPlane;
import dev.sonde.testsupport.LocalControlPlane;
import dev.sonde.testsupport.MetricsScrapers;
import dev.sonde.testsupport.OtelCollector;
import dev.sonde.testsupport.Promtool;
import dev.sonde.testsupport.TestNamespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Per-pod metrics as a user's backends see them: pushed over OTLP (gRPC and HTTP/protobuf) to a real OpenTelemetry
 * Collector, and scraped from the agent's Prometheus endpoint (HTTPS, a ServiceAccount token: 401/403 without the right), linted by {@code promtool check metrics} and parsed by
 * the Prometheus project's own Python parser. Also: a config entry this agent can't run fails that monitor only.
 */
@LocalControlPlane
class MetricsExportIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CONNECTS = 9;

    private static KubeletCgroups kubelet;
    private static NodeAgent agent;
    private static OtelCollector collector;
    private static KubernetesClient podClient;
    private static String podNamespace;
    private static MetricsScrapers.Scraper reader;

    @BeforeAll
    static void requireRoot() {
        LocalNode.requireRoot(MetricsExportIT.class);
    }

    @AfterAll
    static void stop() throws Exception {
        LocalNode.closeAll(agent, collector, kubelet, reader);
        LocalNode.deletePodsNow(podClient, podNamespace);
    }

    @Test
    void exportsThePodsCountsOverOtlpAndPrometheusAndFailsOnlyTheMonitorWithABadEntry(ControlPlane cluster,
            KubernetesClient client, TestNamespace ns) throws Exception {
        cluster.installCrds();
        collector = OtelCollector.start();
        String node = cluster.hostNode();
        podClient = client;
        podNamespace = ns.name();
        Pod web = createPod(client, ns, node, "web-1", "web");
        Pod other = createPod(client, ns, node, "other-1", "other");
        KernelCapabilities caps = KernelCapabilities.detect();
        Path cgroupRoot = caps.cgroup2Mount().orElseThrow(() -> new AssertionError("no cgroup2 mount"));
        kubelet = new KubeletCgroups(cgroupRoot);
        Path webCgroup = kubelet.besteffortContainer(web.getMetadata().getUid());
        Path otherCgroup = kubelet.besteffortContainer(other.getMetadata().getUid());

        CompiledMonitor viaGrpc = monitor(ns, "web-grpc", 0,
                new CompiledExport.Otlp(collector.grpcEndpoint(), OtlpProtocol.GRPC, null), true);
        CompiledMonitor viaHttp = monitor(ns, "web-http", 1,
                new CompiledExport.Otlp(collector.httpEndpoint(), OtlpProtocol.HTTP_PROTOBUF, null), false);
        // What a newer operator might write: a probe this agent has never heard of.
        CompiledMonitor future = monitor(ns, "future", 2, null, true);
        JsonNode config = JSON.readTree(AgentConfig.of(List.of(viaGrpc, viaHttp, future)).toJson());
        ((com.fasterxml.jackson.databind.node.ObjectNode) config.get("monitors").get(2).get("probes").get(0))
                .put("name", "tcpTeleport");
        writeConfigJson(client, ns, config.toString());

        agent = new NodeAgent(client, KernelProbes.load(KernelProbes.Config.defaults(), caps), caps,
                new PodCgroupResolver(cgroupRoot, List.of("/")),
                new NodeAgent.Settings(node, ns.name(), CONFIG_MAP, "test", new InetSocketAddress("127.0.0.1", 0),
                        MetricsListenerOptions.secureSelfSigned(), null, NodeAgent.DEFAULT_MAX_SERIES),
                Clock.systemUTC());
        agent.start();
        // Scraped as Prometheus is: the token of a ServiceAccount bound to the shipped sonde-metrics-reader role.
        MetricsScrapers.installReaderRole(client, cluster.repoRoot());
        reader = MetricsScrapers.serviceAccount(client, ns.name(), "prometheus", true);
        awaitReport(client, ns, node, report -> window(report, "web-grpc").map(MonitorWindow::getPods).orElse(0) == 1
                && window(report, "future").isPresent(), "web-1 selected and the future monitor reported");

        AgentReport report = client.resources(AgentReport.class).inNamespace(ns.name()).withName(node).get();
        assertThat(window(report, "future")).get().satisfies(w -> {
            assertThat(w.getState()).isEqualTo(MonitorWindowState.FAILED);
            assertThat(w.getReason()).isEqualTo(ConfigReader.UNSUPPORTED_PROBE);
            assertThat(w.getMessage()).contains("tcpTeleport");
            assertThat(w.getPods()).isZero();
        });
        assertThat(window(report, "web-grpc")).get().extracting(MonitorWindow::getState)
                .isEqualTo(MonitorWindowState.ACTIVE);

        // Ground truth: the clients' own counts. The server's cgroup belongs to no pod.
        Process server = kubelet.runIn(kubelet.besteffortContainer(UUID.randomUUID().toString()), "python3",
                netload(), "server", "--conns", String.valueOf(2 * CONNECTS));
        int port = readyPort(server);
        assertThat(client(kubelet, webCgroup, port, CONNECTS)).containsEntry("ok", CONNECTS);
        assertThat(client(kubelet, otherCgroup, port, CONNECTS)).containsEntry("ok", CONNECTS);
        assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();

        for (String monitor : List.of("web-grpc", "web-http")) {
            collector.awaitDataPoints(points -> latest(points, "sonde.tcp.connections", monitor, "active")
                    .filter(p -> p.value() == CONNECTS).isPresent(), Duration.ofSeconds(60));
            OtelCollector.DataPoint point = latest(collector.dataPoints(), "sonde.tcp.connections", monitor, "active")
                    .orElseThrow();
            assertThat(point.resource()).containsAllEntriesOf(Map.of("k8s.node.name", node,
                    "k8s.namespace.name", ns.name(), "k8s.pod.name", "web-1",
                    "k8s.pod.uid", web.getMetadata().getUid(), "sonde.monitor", ns.name() + "/" + monitor));
            assertThat(point.type()).isEqualTo("sum");
        }
        assertThat(collector.dataPoints()).as("the unselected pod is never exported")
                .noneMatch(p -> "other-1".equals(p.resource().get("k8s.pod.name")));
        collector.awaitDataPoints(points -> latest(points, "sonde.network.io", "web-grpc", null).isPresent(),
                Duration.ofSeconds(30));
        assertThat(collector.dataPoints()).filteredOn(p -> p.metric().equals("sonde.network.io")
                        && "transmit".equals(p.attributes().get("network.io.direction")))
                .extracting(OtelCollector.DataPoint::value).as("bytes the web client wrote, one per connect")
                .contains((double) CONNECTS);
        assertThat(collector.dataPoints()).as("web-http's profile has no traffic probe")
                .noneMatch(p -> p.metric().equals("sonde.network.io")
                        && (ns.name() + "/web-http").equals(p.resource().get("sonde.monitor")));
        assertThat(collector.dataPoints()).filteredOn(p -> p.metric().equals("sonde.tcp.connect.duration")
                        && (ns.name() + "/web-grpc").equals(p.resource().get("sonde.monitor")))
                .extracting(OtelCollector.DataPoint::count).contains((long) CONNECTS);

        // Prometheus: the monitor with prometheus on, as the Prometheus client library parses the exposition.
        List<Sample> samples = scrape(agent.metricsAddress());
        // ... and only for a token the API server vouches for and whose user may get /metrics
        assertThat(agent.metricsScheme()).isEqualTo("https");
        URI metrics = URI.create("https://127.0.0.1:" + agent.metricsAddress().getPort() + "/metrics");
        assertThat(MetricsScrapers.get(metrics, null).statusCode()).as("no token").isEqualTo(401);
        assertThat(MetricsScrapers.get(metrics, "not-a-token").statusCode()).as("a forged token").isEqualTo(401);
        try (MetricsScrapers.Scraper nobody = MetricsScrapers.serviceAccount(client, ns.name(), "nobody", false)) {
            HttpResponse<String> forbidden = MetricsScrapers.get(metrics, nobody.token());
            assertThat(forbidden.statusCode()).as("a ServiceAccount without sonde-metrics-reader").isEqualTo(403);
            assertThat(forbidden.body()).contains("system:serviceaccount:" + ns.name() + ":nobody");
        }
        assertThat(MetricsScrapers.get(metrics.resolve("/healthz"), null).statusCode()).as("probes need no token")
                .isEqualTo(200);
        assertThat(samples).filteredOn(s -> s.name().equals("sonde_tcp_connections_total")
                        && "active".equals(s.labels().get("direction")))
                .singleElement().satisfies(s -> {
                    assertThat(s.value()).isEqualTo(CONNECTS);
                    assertThat(s.labels()).containsEntry("sonde_monitor", ns.name() + "/web-grpc")
                            .containsEntry("k8s_pod_name", "web-1").containsEntry("k8s_node_name", node);
                });
        assertThat(samples).filteredOn(s -> s.name().equals("sonde_tcp_connect_duration_seconds_count"))
                .singleElement().extracting(Sample::value).isEqualTo((double) CONNECTS);
        assertThat(samples).filteredOn(s -> s.name().equals("sonde_agent_datapoints_exported_total"))
                .singleElement().extracting(Sample::value).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.DOUBLE)
                .isPositive();

        // A bad update of a running monitor: it is Failed, and its last valid entry keeps running.
        String broken = AgentConfig.of(List.of(monitor(ns, "web-grpc", 0,
                new CompiledExport.Otlp("collector without a scheme", OtlpProtocol.GRPC, null), true))).toJson();
        writeConfigJson(client, ns, broken);
        awaitReport(client, ns, node, r -> window(r, "web-grpc").map(MonitorWindow::getState).orElse(null)
                == MonitorWindowState.FAILED, "web-grpc Failed after a bad update");
        report = client.resources(AgentReport.class).inNamespace(ns.name()).withName(node).get();
        assertThat(window(report, "web-grpc")).get().satisfies(w -> {
            assertThat(w.getReason()).isEqualTo(ConfigReader.INVALID_EXPORT);
            assertThat(w.getPods()).as("the last valid entry still selects web-1").isEqualTo(1);
        });
        assertThat(Bpftool.sondeLinks()).as("probes stay attached for the last valid entry").isNotEmpty();

        // Fixed again, and web-http gone: its series end, web-grpc's go on counting.
        writeConfigJson(client, ns, AgentConfig.of(List.of(viaGrpc)).toJson());
        awaitReport(client, ns, node, r -> r.getSpec().getMonitors().size() == 1
                && window(r, "web-grpc").map(MonitorWindow::getState).orElse(null) == MonitorWindowState.ACTIVE,
                "web-grpc Active again, web-http gone");
        Process again = kubelet.runIn(kubelet.besteffortContainer(UUID.randomUUID().toString()), "python3",
                netload(), "server", "--conns", "3");
        assertThat(client(kubelet, webCgroup, readyPort(again), 3)).containsEntry("ok", 3);
        collector.awaitDataPoints(points -> latest(points, "sonde.tcp.connections", "web-grpc", "active")
                .filter(p -> p.value() == CONNECTS + 3).isPresent(), Duration.ofSeconds(60));
        assertThat(scrape(agent.metricsAddress())).filteredOn(s -> s.name().equals("sonde_tcp_connections_total")
                        && "active".equals(s.labels().get("direction")))
                .singleElement().extracting(Sample::value).isEqualTo((double) CONNECTS + 3);
        server.destroyForcibly();
        again.destroyForcibly();
    }

    private static CompiledMonitor monitor(TestNamespace ns, String name, int index, CompiledExport.Otlp otlp,
            boolean prometheus) {
        List<CompiledProbe> probes = name.equals("web-http") ? List.of(CompiledProbe.of(ProbeName.TCP_CONNECTIONS))
                : List.of(CompiledProbe.of(ProbeName.TCP_CONNECTIONS), CompiledProbe.of(ProbeName.TRAFFIC));
        return new CompiledMonitor(ns.name(), name, "uid-" + name, index, "standard", 1000, probes,
                List.of(ns.name()), new CompiledSelector(Map.of("app", "web"), List.of()), null,
                new CompiledExport(otlp, prometheus));
    }

    private static Optional<MonitorWindow> window(AgentReport report, String name) {
        return report.getSpec().getMonitors().stream().filter(w -> name.equals(w.getName())).findFirst();
    }

    /** The newest point of a metric of the web-1 pod under a monitor (and direction, if given). */
    private static Optional<OtelCollector.DataPoint> latest(List<OtelCollector.DataPoint> points, String metric,
            String monitor, String direction) {
        return points.stream()
                .filter(p -> p.metric().equals(metric))
                .filter(p -> p.resource().getOrDefault("sonde.monitor", "").endsWith("/" + monitor))
                .filter(p -> direction == null || direction.equals(p.attributes().get("direction")))
                .reduce((a, b) -> b.timeUnixNano() >= a.timeUnixNano() ? b : a);
    }

    private record Sample(String name, Map<String, String> labels, double value) {
    }

    /** GET /metrics, linted by promtool and parsed by prometheus_client (Debian's python3-prometheus-client). */
    private static List<Sample> scrape(InetSocketAddress address) throws Exception {
        HttpResponse<String> response = MetricsScrapers.get(
                URI.create("https://127.0.0.1:" + address.getPort() + "/metrics"), reader.token());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).get().asString().startsWith("text/plain; version=0.0.4");
        Promtool.Check lint = Promtool.checkMetrics(response.body());
        assertThat(lint.clean()).as(lint + "\nin:\n" + response.body()).isTrue();
        Process parser = new ProcessBuilder("/usr/bin/python3", "-c", """
                import json, sys
                from prometheus_client.parser import text_string_to_metric_families
                out = [[s.name, s.labels, s.value] for f in text_string_to_metric_families(sys.stdin.read())
                       for s in f.samples]
                print(json.dumps(out))
                """).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        parser.getOutputStream().write(response.body().getBytes(StandardCharsets.UTF_8));
        parser.getOutputStream().close();
        String out = new String(parser.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(parser.waitFor()).as("prometheus_client parses the exposition (python3-prometheus-client "
                + "is installed by hack/test.sh)").isZero();
        List<Sample> samples = new ArrayList<>();
        for (JsonNode s : JSON.readTree(out)) {
            Map<String, String> labels = new java.util.HashMap<>();
            s.get(1).fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
            samples.add(new Sample(s.get(0).asText(), labels, s.get(2).asDouble()));
        }
        return samples;
    }
}
