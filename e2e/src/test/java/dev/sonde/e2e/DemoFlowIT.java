package dev.sonde.e2e;

import static dev.sonde.testsupport.Bpftool.sondeLinks;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sonde.testsupport.GrafanaDashboards;
import dev.sonde.testsupport.MetricsScrapers;
import dev.sonde.testsupport.OtelCollector;
import dev.sonde.testsupport.ProcNetSnmp;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The README's main command, {@code hack/demo.sh}, run as a user runs it (with the jars this build made): a real
 * kubelet node, Sonde installed from its own images with {@code kubectl apply -k}, the demo's workloads as
 * Deployments. What it promises is checked through kubectl, each pod's own network namespace, the agent's
 * Prometheus endpoint, the OpenTelemetry Collector's output and bpftool. The demo runs on its own control plane
 * (its own directory and ports), and {@code hack/demo.sh down} at the end takes all of it away. The workloads are
 * deterministic: the checkout client's every 20th connect goes to a Service port with no listener behind it and
 * the resolver's every 10th lookup is for a missing name, so the failure ratios are known in advance.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DemoFlowIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ROOT = RealNodeCluster.ROOT;
    private static final String NODE = RealNodeCluster.NODE;
    private static final RealNodeCluster CLUSTER = new RealNodeCluster("sonde-demo-it");
    private static final Duration WINDOWS = Duration.ofSeconds(100); // 15 s windows: a few of them, with slack
    private static final Duration INTERVAL = Duration.ofSeconds(15);
    private static final Pattern SAMPLE = Pattern.compile("^(\\w+)\\{([^}]*)} (\\S+)$");
    /** The demo's Prometheus (hack/demo.sh prints it); its alert rules with {@code for: 30s} (SONDE_DEMO_ALERT_FOR). */
    private static final PrometheusApi PROMETHEUS = new PrometheusApi(URI.create("http://127.0.0.1:19090"));
    private static final Duration ALERT_WAIT = Duration.ofSeconds(180); // scrape 15 s + evaluation 15 s + for 30 s, with slack
    /** A vector selector in a rule's expression: a metric name and its braces. */
    private static final Pattern SELECTOR = Pattern.compile("\\b([a-z_]+)\\{([^}]*)}");

    private static boolean started;
    /** When hack/demo.sh returned: every demo pod Ready by then, so a window after it has no startup failures. */
    private static Instant demoFinished;

    @BeforeAll
    static void runTheDemo() throws Exception {
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new AssertionError("the demo runs a kubelet node and loads eBPF programs: run as root (hack/test.sh)");
        }
        started = true;
        int exit = script(TimeUnit.MINUTES.toSeconds(15));
        assertThat(exit).as("hack/demo.sh exit code (e2e/target/sonde-demo-it.log)").isZero();
        demoFinished = Instant.now();
    }

    @AfterAll
    static void stopTheDemo() throws Exception {
        if (!started) {
            return;
        }
        assertThat(script(300, "down")).as("hack/demo.sh down").isZero();
        assertThat(sondeLinks()).as("nothing attached after hack/demo.sh down").isEmpty();
        assertThat(CLUSTER.state()).as("the demo's control plane and node are gone").doesNotExist();
    }

    @Test
    @Order(1)
    void sondeRunsAsDeployedAndCheckoutIsReadyOnTheRealNode() throws Exception {
        String table = kubectl("get", "networkmonitors", "-n", "demo");
        System.out.println(table);
        assertThat(table.lines().filter(line -> line.startsWith("checkout"))).singleElement().asString()
                .contains("standard").contains(" 1/1 ");
        kubectl("wait", "--for=condition=Ready", "networkmonitor/checkout", "-n", "demo", "--timeout=10s");
        JsonNode status = checkout().path("status");
        assertThat(status.path("nodes").path("desired").asInt()).isEqualTo(1);
        assertThat(status.path("nodes").path("ready").asInt()).isEqualTo(1);
        assertThat(status.path("pods").path("matched").asInt()).as("client, server, resolver").isEqualTo(3);

        JsonNode pods = JSON.readTree(kubectl("get", "pods", "-A", "-o", "json", "--field-selector",
                "spec.nodeName=" + NODE));
        Map<String, String> ipByPod = new HashMap<>();
        for (JsonNode pod : pods.path("items")) {
            ipByPod.put(pod.path("metadata").path("namespace").asText() + "/" + pod.path("metadata").path("name")
                    .asText(), pod.path("status").path("podIP").asText());
            assertThat(pod.path("status").path("phase").asText()).as(pod.path("metadata").path("name").asText())
                    .isEqualTo("Running");
        }
        System.out.println("pods on " + NODE + ": " + ipByPod);
        assertThat(ipByPod.keySet()).anyMatch(p -> p.startsWith("sonde-system/sonde-operator-"))
                .anyMatch(p -> p.startsWith("sonde-system/sonde-agent-"))
                .anyMatch(p -> p.startsWith("kube-system/coredns-"))
                .anyMatch(p -> p.startsWith("demo/checkout-client-"))
                .anyMatch(p -> p.startsWith("demo/inventory-"));
        assertThat(ipByPod).as("every demo pod has an address of its own")
                .allSatisfy((pod, ip) -> {
                    if (pod.startsWith("demo/")) {
                        assertThat(ip).startsWith("10.89.0.");
                    }
                });
    }

    @Test
    @Order(2)
    void theSummaryMatchesTheDemoTraffic() throws Exception {
        // a window that began after the demo returned: the client's connects before the server was Ready are refused
        // too, and would count in the first windows
        Instant steady = demoFinished.plus(INTERVAL).plusSeconds(1);
        JsonNode summary = await("a summary over a full window of steady demo traffic", status -> {
            JsonNode s = status.path("summary");
            return s.path("connectFailureRatio").isNumber() && s.path("dnsErrorRatio").isNumber()
                    && s.path("connectionsPerSecond").asDouble() > 10 && status.hasNonNull("lastReportTime")
                    && Instant.parse(status.path("lastReportTime").asText()).isAfter(steady);
        }).path("summary");
        System.out.println("checkout summary: " + summary);
        assertThat(summary.path("connectFailureRatio").asDouble()).as("every 20th connect refused")
                .isBetween(0.03, 0.07);
        assertThat(summary.path("dnsErrorRatio").asDouble()).as("every 10th lookup NXDOMAIN").isBetween(0.07, 0.13);
        // the client connects up to 20/s, the server accepts those plus inventory's 5/s: active + passive
        assertThat(summary.path("connectionsPerSecond").asDouble()).isBetween(20.0, 46.0);
        // the standard profile has tcpRetransmits but not traffic: RETRANS has a value all the same
        assertThat(summary.path("retransmitRatio").isNumber()).as("retransmitRatio in " + summary).isTrue();
        String retrans = kubectl("get", "networkmonitor", "checkout", "-n", "demo", "-o",
                "custom-columns=RETRANS:.status.summary.retransmitRatio", "--no-headers").strip();
        assertThat(retrans).as("the RETRANS column").isNotEmpty().isNotEqualTo("<none>");
        JsonNode status = checkout().path("status");
        assertThat(status.path("health").asText()).isEqualTo("Degraded");
        assertThat(status.path("healthReasons").toString()).contains("connectFailureRatio").contains("dnsErrorRatio");
    }

    /**
     * The demo's Prometheus found the agent and the operator through Kubernetes service discovery with the shipped
     * relabelling (config/prometheus/scrape-configs.yaml), and what it stored is the demo's traffic: the demo pods'
     * {@code sonde_tcp_connect_failures_total} (the README's promise), and a failure share computed in PromQL that is
     * the client's known one (every 20th connect refused).
     */
    @Test
    @Order(3)
    void prometheusDiscoversAndScrapesTheAgentAndTheOperator() throws Exception {
        assertThat(Files.readString(Path.of("target", "sonde-demo-it.log"))).as("hack/demo.sh prints where Prometheus is")
                .contains("  " + PROMETHEUS.base() + "\n");
        String agent = agentPod();
        List<PrometheusApi.Sample> up = awaitQuery("both jobs' targets up", "up{job=~\"sonde-agent|sonde-operator\"} == 1",
                samples -> samples.size() >= 2);
        assertThat(up).as("up").anySatisfy(s -> assertThat(List.of(s.label("job"), s.label("namespace"), s.label("pod"),
                        s.label("node"))).containsExactly("sonde-agent", "sonde-system", agent, NODE))
                .anySatisfy(s -> {
                    assertThat(List.of(s.label("job"), s.label("namespace"), s.label("node")))
                            .containsExactly("sonde-operator", "sonde-system", NODE);
                    assertThat(s.label("pod")).startsWith("sonde-operator-");
                });
        assertThat(PROMETHEUS.activeTargets()).as("only Sonde's own ports are scraped")
                .allSatisfy(t -> assertThat(t.path("labels").path("job").asText()).isIn("sonde-agent", "sonde-operator"))
                .hasSize(2);

        // a minute of scrapes (every 15 s), so that the rates below and the dashboards' [1m] have samples to work on
        awaitQuery("a minute of the agent's scrapes", "count_over_time(up{job=\"sonde-agent\"}[1m]) >= 4",
                samples -> !samples.isEmpty());
        String client = podOf("checkout", "client");
        // checkout's series (the demo's peers monitor selects the client and inventory too, with flows)
        String checkout = "sonde_monitor=\"demo/checkout\"";
        awaitQuery("the client's failed connects scraped", "sonde_tcp_connect_failures_total{" + checkout
                + ", k8s_pod_name=\"" + client + "\"} > 0", samples -> !samples.isEmpty());
        List<PrometheusApi.Sample> failures = PROMETHEUS.query("sonde_tcp_connect_failures_total{k8s_namespace_name=\"demo\", "
                + checkout + "}");
        System.out.println("sonde_tcp_connect_failures_total in Prometheus: " + failures);
        assertThat(failures).extracting(s -> s.label("k8s_pod_name"))
                .contains(client, podOf("checkout", "server"), podOf("checkout", "resolver"))
                .noneMatch(pod -> pod.startsWith("inventory-"));
        double stored = failures.stream().filter(s -> s.label("k8s_pod_name").equals(client)).findFirst().orElseThrow()
                .value();
        double now = sum(agentMetrics(), "sonde_tcp_connect_failures_total", client, null);
        assertThat(stored).as("the client's failed connects as scraped, and the agent's counter now").isPositive()
                .isLessThanOrEqualTo(now);

        String share = "sum(rate(sonde_tcp_connect_failures_total{%s, k8s_pod_name=\"%s\"}[1m]))"
                + " / sum(rate(sonde_tcp_connections_total{%s, k8s_pod_name=\"%s\", direction=\"active\"}[1m]))";
        double ratio = awaitQuery("a 1-minute failure share of the client", share.formatted(checkout, client, checkout, client),
                samples -> !samples.isEmpty() && !Double.isNaN(samples.getFirst().value())).getFirst().value();
        System.out.printf("the client's connect failure share in PromQL: %.4f%n", ratio);
        assertThat(ratio).as("every 20th connect refused").isBetween(0.03, 0.07);
    }

    /**
     * Every alert of config/prometheus/rules/sonde.rules.yaml is loaded by the real Prometheus, evaluates without
     * error, and every vector selector in it selects real series of the demo (so no rule watches a name or label
     * the agent or operator does not export). On the demo's healthy stack none of the component alerts is active.
     */
    @Test
    @Order(4)
    void everyAlertRuleEvaluatesOnRealData() throws Exception {
        List<String> shipped = Files.readAllLines(ROOT.resolve("config/prometheus/rules/sonde.rules.yaml")).stream()
                .map(String::strip).filter(l -> l.startsWith("- alert: ")).map(l -> l.substring("- alert: ".length()))
                .toList();
        assertThat(shipped).hasSizeGreaterThanOrEqualTo(10);
        long deadline = System.nanoTime() + ALERT_WAIT.toNanos();
        List<JsonNode> rules = PROMETHEUS.rules();
        while (rules.stream().anyMatch(r -> !"ok".equals(r.path("health").asText())) && System.nanoTime() < deadline) {
            Thread.sleep(2000);
            rules = PROMETHEUS.rules();
        }
        assertThat(rules).extracting(r -> r.path("name").asText()).containsExactlyInAnyOrderElementsOf(shipped);
        for (JsonNode rule : rules) {
            String name = rule.path("name").asText();
            assertThat(rule.path("health").asText()).as("%s evaluated: %s", name, rule.path("lastError").asText())
                    .isEqualTo("ok");
            Matcher selector = SELECTOR.matcher(rule.path("query").asText());
            int selectors = 0;
            while (selector.find()) {
                selectors++;
                String series = selector.group(1) + "{" + selector.group(2) + "}";
                assertThat(PROMETHEUS.query("count(" + series + ")")).as("%s: %s has series", name, series)
                        .singleElement().satisfies(s -> assertThat(s.value()).isPositive());
            }
            assertThat(selectors).as("%s has selectors: %s", name, rule.path("query").asText()).isPositive();
        }
        // (a rule evaluated before the first scrapes may still be pending: each must be inactive by the next rounds)
        for (String quiet : List.of("SondeOperatorDown", "SondeAgentDown", "SondeAgentsAbsent", "SondeProbeFailed",
                "SondeOperatorReconcileErrors", "SondeSeriesLimitReached")) {
            awaitAlert(quiet, "inactive");
        }
    }

    /**
     * Every panel query of config/grafana/'s dashboards, with the variables substituted as Grafana does (each query
     * variable resolved on this Prometheus, the monitor set to demo/checkout, or to demo/peers (the flows profile)
     * for the service map, "All" where a variable allows it), runs on the demo's Prometheus; where the demo's traffic
     * guarantees data the result is non-empty with a number in it. The demo's profile (standard) has no traffic or
     * packetDrops probe, and its one node is in one zone (no cross-zone bytes), so those queries may be empty here.
     * The service map's node graph also gets what Grafana's Node Graph needs: every edge ends on a node.
     */
    @Test
    @Order(5)
    void everyDashboardQueryAnswersOnTheRealPrometheus() throws Exception {
        Set<String> notInTheDemo = Set.of("sonde_packet_drops_total", "sonde_network_io_bytes_total",
                "sonde_network_packets_total", "sonde_network_interzone_io_bytes_total");
        int queries = 0;
        int withData = 0;
        for (Path file : GrafanaDashboards.files(ROOT.resolve("config/grafana"))) {
            JsonNode dashboard = GrafanaDashboards.read(file);
            String monitor = file.getFileName().toString().equals("sonde-service-map.json") ? "demo/peers" : "demo/checkout";
            int fileQueries = 0;
            int fileWithData = 0;
            Map<String, String> values = new HashMap<>(Map.of("__rate_interval", "1m"));
            for (JsonNode variable : GrafanaDashboards.variables(dashboard)) {
                if (!"query".equals(variable.path("type").asText())) {
                    continue;
                }
                String name = variable.path("name").asText();
                Matcher labelValues = Pattern.compile("label_values\\((.+), (\\w+)\\)")
                        .matcher(GrafanaDashboards.substitute(variable.path("definition").asText(), values));
                assertThat(labelValues.matches()).as("$%s of %s is a label_values query", name, file).isTrue();
                List<String> options = PROMETHEUS.labelValues(labelValues.group(2), labelValues.group(1));
                System.out.println(file.getFileName() + " $" + name + ": " + options);
                assertThat(options).as("$%s of %s has values", name, file).isNotEmpty();
                if (name.equals("monitor")) {
                    assertThat(options).contains(monitor);
                    values.put(name, monitor);
                } else {
                    assertThat(variable.path("includeAll").asBoolean()).as("$%s allows All", name).isTrue();
                    values.put(name, variable.path("allValue").asText());
                }
            }
            for (GrafanaDashboards.PanelQuery query : GrafanaDashboards.queries(dashboard)) {
                String expr = GrafanaDashboards.substitute(query.expr(), values);
                List<PrometheusApi.Sample> samples = PROMETHEUS.query(expr);
                queries++;
                fileQueries++;
                if (notInTheDemo.stream().anyMatch(expr::contains)) {
                    System.out.println("not measured by the demo's profile (" + samples.size() + " series): " + query);
                    continue;
                }
                assertThat(samples).as("%s\nas sent: %s", query, expr).isNotEmpty()
                        .anySatisfy(s -> assertThat(Double.isFinite(s.value())).isTrue());
                withData++;
                fileWithData++;
            }
            for (GrafanaDashboards.NodeGraph graph : GrafanaDashboards.nodeGraphs(dashboard)) {
                Set<String> nodes = new HashSet<>();
                List<PrometheusApi.Sample> edges = new ArrayList<>();
                for (GrafanaDashboards.PanelQuery query : graph.nodes()) {
                    PROMETHEUS.query(GrafanaDashboards.substitute(query.expr(), values)).forEach(s -> nodes.add(s.label("id")));
                }
                Map<String, Double> failedPercent = new HashMap<>();
                for (GrafanaDashboards.PanelQuery query : graph.edges()) {
                    List<PrometheusApi.Sample> samples = PROMETHEUS.query(GrafanaDashboards.substitute(query.expr(), values));
                    edges.addAll(samples);
                    if (graph.fields().get(query.refId()).equals("secondarystat")) {
                        samples.forEach(s -> failedPercent.put(s.label("id"), s.value()));
                    }
                }
                System.out.printf("%s: %d nodes %s, %d edge rows, %% failed %s%n", graph.panel(), nodes.size(), nodes,
                        edges.size(), failedPercent);
                assertThat(edges).as("%s has edges", graph.panel()).isNotEmpty().allSatisfy(e -> assertThat(nodes)
                        .as("the nodes of edge %s", e.label("id")).contains(e.label("source"), e.label("target")));
                // hack/demo/workloads.yaml: the client and inventory call checkout:80, the client's every 20th connect
                // goes to checkout:81 where nothing listens, the resolver asks CoreDNS
                assertThat(edges).extracting(e -> e.label("id")).contains("demo/checkout-client -> demo/checkout:80",
                        "demo/checkout-client -> demo/checkout:81", "demo/inventory -> demo/checkout:80",
                        "demo/checkout:80 -> demo/checkout-server", "demo/checkout-resolver -> kube-system/kube-dns:53");
                assertThat(failedPercent.get("demo/checkout-client -> demo/checkout:81")).isCloseTo(100, within(0.01));
                // (not zero to the connect: a rollout of the client just before may end a connect in flight)
                assertThat(failedPercent.get("demo/checkout-client -> demo/checkout:80")).isLessThan(1.0);
                assertThat(failedPercent.get("demo/inventory -> demo/checkout:80")).isLessThan(1.0);
            }
            System.out.printf("%s: %d queries run, %d with data%n", file.getFileName(), fileQueries, fileWithData);
        }
        System.out.printf("dashboard queries run on Prometheus: %d, with data: %d%n", queries, withData);
        assertThat(withData).isGreaterThanOrEqualTo(30);
    }

    /**
     * Ground truth from each pod's own network namespace: between two moments at which its traffic is paused (and
     * the agent has published the window after the pause), the agent's per-pod counters move exactly as the
     * kernel's TCP MIB of that pod does.
     */
    @Test
    @Order(6)
    void perPodCountersEqualThePodsOwnKernelCounters() throws Exception {
        String client = podOf("checkout", "client");
        String server = podOf("checkout", "server");
        String inventory = podOf("inventory", null);
        List<String> quiet = List.of(client, inventory, podOf("checkout", "resolver"));

        pause(quiet, true);
        Thread.sleep(INTERVAL.plusSeconds(3).toMillis());
        Map<String, Long> clientBefore = tcpMib(client);
        Map<String, Long> serverBefore = tcpMib(server);
        Map<String, Double> sondeBefore = agentMetrics();
        pause(quiet, false);
        Thread.sleep(20_000);
        pause(quiet, true);
        Thread.sleep(INTERVAL.plusSeconds(3).toMillis());
        Map<String, Long> clientAfter = tcpMib(client);
        Map<String, Long> serverAfter = tcpMib(server);
        Map<String, Double> sondeAfter = agentMetrics();
        pause(quiet, false);

        long activeOpens = clientAfter.get("ActiveOpens") - clientBefore.get("ActiveOpens");
        long attemptFails = clientAfter.get("AttemptFails") - clientBefore.get("AttemptFails");
        long retransSegs = clientAfter.get("RetransSegs") - clientBefore.get("RetransSegs");
        long outRsts = clientAfter.get("OutRsts") - clientBefore.get("OutRsts");
        long passiveOpens = serverAfter.get("PassiveOpens") - serverBefore.get("PassiveOpens");
        System.out.printf("pod netns deltas: client active %d, failed %d, retrans %d, rsts out %d; server passive %d%n",
                activeOpens, attemptFails, retransSegs, outRsts, passiveOpens);
        assertThat(activeOpens).as("the client made connects in the open window").isGreaterThan(100);
        assertThat(attemptFails).as("every 20th refused").isPositive();

        assertThat(delta(sondeBefore, sondeAfter, "sonde_tcp_connections_total", client, "direction=\"active\""))
                .as("active opens of " + client).isEqualTo(activeOpens);
        assertThat(delta(sondeBefore, sondeAfter, "sonde_tcp_connect_failures_total", client, null))
                .as("failed connects of " + client).isEqualTo(attemptFails);
        assertThat(delta(sondeBefore, sondeAfter, "sonde_tcp_retransmits_total", client, null))
                .as("retransmits of " + client).isEqualTo(retransSegs);
        assertThat(delta(sondeBefore, sondeAfter, "sonde_tcp_resets_total", client, "direction=\"sent\""))
                .as("resets sent by " + client).isEqualTo(outRsts);
        assertThat(delta(sondeBefore, sondeAfter, "sonde_tcp_connections_total", server, "direction=\"passive\""))
                .as("passive opens of " + server).isEqualTo(passiveOpens);
    }

    @Test
    @Order(7)
    void healthFollowsTheFailureShareAcrossTheThreshold() throws Exception {
        // the demo's 5 % has kept checkout Degraded: the real Prometheus' SondeMonitorDegraded fires
        awaitAlert("SondeMonitorDegraded", "firing");
        assertThat(script(120, "traffic", "--fail-every", "0", "--missing-every", "0")).isZero();
        JsonNode healthy = await("Healthy once connects and lookups stop failing",
                status -> "Healthy".equals(status.path("health").asText()));
        // the first healthy window may still hold the last failures from before the switch
        assertThat(healthy.path("summary").path("connectFailureRatio").asDouble()).isLessThan(0.02);
        awaitAlert("SondeMonitorDegraded", "inactive"); // resolved

        // 4 %: over the profile's degraded level (2 %), under its critical level (10 %)
        assertThat(script(120, "traffic", "--fail-every", "25", "--missing-every", "0")).isZero();
        // a window can also be Degraded for another reason (a loaded machine's DNS p99 above 50 ms): wait for this one
        JsonNode degraded = await("Degraded again once 4 % of connects fail",
                status -> "Degraded".equals(status.path("health").asText())
                        && status.path("healthReasons").toString().contains("connectFailureRatio"));
        assertThat(degraded.path("healthReasons").toString()).contains("connectFailureRatio")
                .doesNotContain("dnsErrorRatio");
        assertThat(degraded.path("summary").path("connectFailureRatio").asDouble()).isBetween(0.02, 0.06);
        awaitAlert("SondeMonitorDegraded", "firing");
        assertThat(PROMETHEUS.alertState("SondeMonitorCritical")).as("4 % is under the critical level")
                .isEqualTo("inactive");
    }

    @Test
    @Order(8)
    void otlpReachesTheCollectorWithTheContractsNamesAndTheRealPodsIdentity() throws Exception {
        String client = podOf("checkout", "client");
        String uid = kubectl("get", "pod", client, "-n", "demo", "-o", "jsonpath={.metadata.uid}");
        String ip = kubectl("get", "pod", client, "-n", "demo", "-o", "jsonpath={.status.podIP}");
        Path file = ROOT.resolve(".local/demo/otlp-metrics.json");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        List<OtelCollector.DataPoint> points = OtelCollector.readDataPoints(file);
        while (clientConnects(points, uid) == 0 && System.nanoTime() < deadline) {
            Thread.sleep(1000);
            points = OtelCollector.readDataPoints(file);
        }
        assertThat(clientConnects(points, uid)).as("active connects of " + client + " in " + file).isPositive();
        OtelCollector.DataPoint connects = points.stream().filter(p -> p.metric().equals("sonde.tcp.connections")
                && uid.equals(p.resource().get("k8s.pod.uid"))).findFirst().orElseThrow();
        assertThat(connects.resource()).containsAllEntriesOf(Map.of("k8s.namespace.name", "demo",
                "k8s.pod.name", client, "k8s.node.name", NODE, "sonde.monitor", "demo/checkout"));
        assertThat(ip).as("the exporting pod is a real pod with its own address").startsWith("10.89.0.");
        Set<String> names = points.stream().map(OtelCollector.DataPoint::metric).collect(Collectors.toSet());
        assertThat(names).contains("sonde.tcp.connections", "sonde.tcp.connect.failures", "sonde.tcp.connect.duration",
                "sonde.tcp.retransmits", "sonde.tcp.resets", "sonde.tcp.rtt", "sonde.dns.queries",
                "sonde.dns.duration", "sonde.dns.errors");
        assertThat(points).as("the resolver's NXDOMAIN answers from CoreDNS").anyMatch(p ->
                p.metric().equals("sonde.dns.errors") && "NXDOMAIN".equals(p.attributes().get("dns.rcode"))
                        && p.value() > 0);
        assertThat(points).as("inventory is not selected by any monitor that exports OTLP")
                .noneMatch(p -> String.valueOf(p.resource().get("k8s.pod.name")).startsWith("inventory-"));
    }

    @Test
    @Order(9)
    void aRecreatedAgentPodLeavesExactlyOneSetOfLinks() throws Exception {
        Set<Integer> before = sondeLinks();
        assertThat(before).as("the agent's links while checkout runs").isNotEmpty();
        String agent = agentPod();
        kubectl("delete", "pod", agent, "-n", "sonde-system", "--wait=true", "--timeout=60s");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        String replacement = agentPod();
        while ((replacement.isEmpty() || replacement.equals(agent) || sondeLinks().size() != before.size())
                && System.nanoTime() < deadline) {
            Thread.sleep(1000);
            replacement = agentPod();
        }
        kubectl("wait", "--for=condition=Ready", "pod/" + replacement, "-n", "sonde-system", "--timeout=60s");
        Thread.sleep(3000); // any duplicate would attach at start: give it the chance
        assertThat(sondeLinks()).as("links after the DaemonSet recreated the agent pod").hasSameSizeAs(before)
                .doesNotContainAnyElementsOf(before);
        assertThat(kubectl("get", "pod", replacement, "-n", "sonde-system", "-o",
                "jsonpath={.status.containerStatuses[0].restartCount}")).isEqualTo("0");
    }

    @Test
    @Order(10)
    void theOperatorAndTheAgentWereNeverForbidden() throws Exception {
        String operator = kubectl("logs", "-n", "sonde-system", "deploy/sonde-operator");
        String agent = kubectl("logs", "-n", "sonde-system", "pod/" + agentPod());
        assertThat(operator).as("operator log").isNotEmpty().doesNotContain(" 403", "Forbidden");
        assertThat(agent).as("agent log").isNotEmpty().doesNotContain(" 403", "Forbidden");
        assertThat(kubectl("get", "pods", "-n", "sonde-system", "-l", "app.kubernetes.io/name=sonde-operator", "-o",
                "jsonpath={.items[*].status.containerStatuses[0].restartCount}")).isEqualTo("0");
    }

    @Test
    @Order(11)
    void pausingAndDeletingTheMonitorsDetachesEverything() throws Exception {
        assertThat(sondeLinks()).as("the agent's links while checkout runs").isNotEmpty();
        assertTheTourShowsTheLinks("while checkout runs");
        patchPaused("checkout", "demo", true);
        patchPaused("platform", "sonde-system", true);
        patchPaused("peers", "demo", true); // the demo's flows monitor (hack/demo/peers-monitor.yaml) selects pods too
        awaitLinks("paused monitors: no links", Set::isEmpty);
        assertTheTourShowsTheLinks("paused");
        kubectl("wait", "--for=condition=Ready", "networkmonitor/checkout", "-n", "demo", "--timeout=30s");
        assertThat(checkout().path("status").path("conditions").toString()).contains("Paused");

        patchPaused("checkout", "demo", false);
        awaitLinks("checkout resumed: links again", links -> !links.isEmpty());

        kubectl("delete", "networkmonitor", "checkout", "-n", "demo");
        kubectl("delete", "networkmonitor", "peers", "-n", "demo");
        kubectl("delete", "networkmonitor", "platform", "-n", "sonde-system");
        awaitLinks("monitors deleted: no links", Set::isEmpty);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** Runs hack/demo.sh on this test's own control plane; its output goes to e2e/target/sonde-demo-it.log. */
    private static int script(long timeoutSeconds, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("hack/demo.sh"));
        command.addAll(List.of(args));
        // the reactor built the jars just now
        return CLUSTER.script(timeoutSeconds, Map.of("SONDE_DEMO_SKIP_BUILD", "1", "SONDE_DEMO_ALERT_FOR", "30s"),
                command.toArray(String[]::new)).exit();
    }

    private static String kubectl(String... args) throws Exception {
        return CLUSTER.kubectl(args);
    }

    /** The name of the demo pod with these labels (app, and role unless null). */
    private static String podOf(String app, String role) throws Exception {
        String selector = "app=" + app + (role == null ? "" : ",role=" + role);
        String names = kubectl("get", "pods", "-n", "demo", "-l", selector, "--field-selector", "status.phase=Running",
                "-o", "jsonpath={.items[*].metadata.name}").strip();
        assertThat(names).as("a running pod " + selector).isNotEmpty().doesNotContain(" ");
        return names;
    }

    private static String agentPod() throws Exception {
        return kubectl("get", "pods", "-n", "sonde-system", "-l", "app.kubernetes.io/name=sonde-agent",
                "--field-selector", "spec.nodeName=" + NODE, "-o", "jsonpath={.items[*].metadata.name}").strip();
    }

    /** Pauses or resumes the workloads' traffic (hack/demo/workload.py waits while /tmp/pause exists). */
    private static void pause(List<String> pods, boolean paused) throws Exception {
        for (String pod : pods) {
            kubectl("exec", "-n", "demo", pod, "--", "sh", "-c", paused ? "touch /tmp/pause" : "rm -f /tmp/pause");
        }
    }

    /** The Tcp: counters of /proc/net/snmp as the pod's own network namespace has them. */
    private static Map<String, Long> tcpMib(String pod) throws Exception {
        return ProcNetSnmp.tcp(kubectl("exec", "-n", "demo", pod, "--", "cat", "/proc/net/snmp"));
    }

    /** The agent's /metrics on the real node: "name{labels}" -> value. */
    private static Map<String, Double> agentMetrics() throws Exception {
        String ip = kubectl("get", "pod", agentPod(), "-n", "sonde-system", "-o", "jsonpath={.status.podIP}").strip();
        // with the token hack/demo.sh gave its Prometheus (ServiceAccount monitoring/prometheus)
        HttpResponse<String> response = MetricsScrapers.get(URI.create("https://" + ip + ":9466/metrics"),
                Files.readString(ROOT.resolve(".local/demo/prometheus.token")).strip());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        Map<String, Double> samples = new HashMap<>();
        for (String line : response.body().lines().toList()) {
            Matcher m = SAMPLE.matcher(line);
            if (m.matches()) {
                samples.put(m.group(1) + "{" + m.group(2) + "}", Double.parseDouble(m.group(3)));
            }
        }
        return samples;
    }

    /** The change of the checkout monitor's series of {@code metric} for {@code pod} (with the extra label). */
    private static long delta(Map<String, Double> before, Map<String, Double> after, String metric, String pod,
            String label) {
        return Math.round(sum(after, metric, pod, label) - sum(before, metric, pod, label));
    }

    private static double sum(Map<String, Double> samples, String metric, String pod, String label) {
        return samples.entrySet().stream()
                .filter(e -> e.getKey().startsWith(metric + "{") && e.getKey().contains("k8s_pod_name=\"" + pod + "\"")
                        && e.getKey().contains("sonde_monitor=\"demo/checkout\"")
                        && (label == null || e.getKey().contains(label)))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    /** Polls the demo's Prometheus until {@code promql} gives samples that satisfy {@code condition}. */
    private static List<PrometheusApi.Sample> awaitQuery(String what, String promql,
            Predicate<List<PrometheusApi.Sample>> condition) throws Exception {
        long deadline = System.nanoTime() + ALERT_WAIT.toNanos();
        List<PrometheusApi.Sample> samples = PROMETHEUS.query(promql);
        while (!condition.test(samples)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + ALERT_WAIT + " waiting for " + what + ": " + promql
                        + " gives " + samples);
            }
            Thread.sleep(2000);
            samples = PROMETHEUS.query(promql);
        }
        return samples;
    }

    /** Polls the demo's Prometheus until the alert is in {@code state} (pending, firing, or inactive: none). */
    private static void awaitAlert(String alert, String state) throws Exception {
        long deadline = System.nanoTime() + ALERT_WAIT.toNanos();
        String now = PROMETHEUS.alertState(alert);
        while (!state.equals(now)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + ALERT_WAIT + " waiting for " + alert + " to be " + state
                        + "; it is " + now + "; alerts: " + PROMETHEUS.alerts());
            }
            Thread.sleep(2000);
            now = PROMETHEUS.alertState(alert);
        }
        System.out.println(alert + " is " + state);
    }

    private static JsonNode checkout() throws Exception {
        return JSON.readTree(kubectl("get", "networkmonitor", "checkout", "-n", "demo", "-o", "json"));
    }

    /** Polls checkout's status (through kubectl) until {@code condition} holds; returns that status. */
    private static JsonNode await(String what, Predicate<JsonNode> condition) throws Exception {
        long deadline = System.nanoTime() + WINDOWS.toNanos();
        JsonNode status = null;
        while (System.nanoTime() < deadline) {
            status = checkout().path("status");
            if (condition.test(status)) {
                return status;
            }
            Thread.sleep(1000);
        }
        throw new AssertionError("timed out after " + WINDOWS + " waiting for: " + what + "; last status: " + status);
    }

    private static void patchPaused(String name, String namespace, boolean paused) throws Exception {
        kubectl("patch", "networkmonitor", name, "-n", namespace, "--type=merge", "-p",
                "{\"spec\":{\"paused\":" + paused + "}}");
    }

    private static long clientConnects(List<OtelCollector.DataPoint> points, String uid) {
        return points.stream().filter(p -> p.metric().equals("sonde.tcp.connections")
                        && uid.equals(p.resource().get("k8s.pod.uid"))
                        && "active".equals(p.attributes().get("direction")))
                .mapToLong(p -> (long) p.value()).max().orElse(0);
    }

    /**
     * The README tour's command for the agent's links, {@code hack/demo.sh links}, lists exactly the links
     * bpftool's JSON gives for Sonde's programs. Compared when two bpftool reads around it agree, so an
     * attach or detach in between doesn't count as a difference.
     */
    private static void assertTheTourShowsTheLinks(String when) throws Exception {
        assertThat(Files.readString(ROOT.resolve("README.md"))).as("the README tour")
                .contains("\nhack/demo.sh links ");
        for (int attempt = 1; ; attempt++) {
            Set<Integer> before = sondeLinks();
            Set<Integer> shown = tourLinks();
            Set<Integer> after = sondeLinks();
            if (before.equals(after) || attempt == 5) {
                assertThat(shown).as("hack/demo.sh links " + when + " (bpftool before: " + before + ")")
                        .isEqualTo(after);
                return;
            }
            Thread.sleep(500);
        }
    }

    /** The link ids {@code hack/demo.sh links} prints, each line "<link id>: <type>  prog <id> sonde_<name>". */
    private static Set<Integer> tourLinks() throws Exception {
        Process process = new ProcessBuilder("bash", "hack/demo.sh", "links").directory(ROOT.toFile())
                .redirectError(ProcessBuilder.Redirect.appendTo(Path.of("target", "sonde-demo-it.log").toFile())).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("hack/demo.sh links finished").isTrue();
        assertThat(process.exitValue()).as("hack/demo.sh links exit code (e2e/target/sonde-demo-it.log)").isZero();
        List<String> lines = out.lines().toList();
        assertThat(lines).allMatch(line -> line.matches("\\d+: \\S+  prog \\d+ sonde_\\S*"), "a link line");
        return lines.stream().map(line -> Integer.parseInt(line.substring(0, line.indexOf(':'))))
                .collect(Collectors.toSet());
    }

    private static void awaitLinks(String what, Predicate<Set<Integer>> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Set<Integer> links = sondeLinks();
        while (!condition.test(links)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what + "; bpftool shows links " + links);
            }
            Thread.sleep(500);
            links = sondeLinks();
        }
    }
}
