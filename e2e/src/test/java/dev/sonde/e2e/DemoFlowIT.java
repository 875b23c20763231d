package dev.sonde.e2e;

import static dev.sonde.testsupport.Bpftool.sondeLinks;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sonde.testsupport.OtelCollector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
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

    private static boolean started;

    @BeforeAll
    static void runTheDemo() throws Exception {
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new AssertionError("the demo runs a kubelet node and loads eBPF programs: run as root (hack/test.sh)");
        }
        started = true;
        int exit = script(TimeUnit.MINUTES.toSeconds(15));
        assertThat(exit).as("hack/demo.sh exit code (e2e/target/sonde-demo-it.log)").isZero();
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
        JsonNode summary = await("a summary over a full window of demo traffic", status -> {
            JsonNode s = status.path("summary");
            return s.path("connectFailureRatio").isNumber() && s.path("dnsErrorRatio").isNumber()
                    && s.path("connectionsPerSecond").asDouble() > 10;
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
     * Ground truth from each pod's own network namespace: between two moments at which its traffic is paused (and
     * the agent has published the window after the pause), the agent's per-pod counters move exactly as the
     * kernel's TCP MIB of that pod does.
     */
    @Test
    @Order(3)
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
    @Order(4)
    void healthFollowsTheFailureShareAcrossTheThreshold() throws Exception {
        assertThat(script(120, "traffic", "--fail-every", "0", "--missing-every", "0")).isZero();
        JsonNode healthy = await("Healthy once connects and lookups stop failing",
                status -> "Healthy".equals(status.path("health").asText()));
        // the first healthy window may still hold the last failures from before the switch
        assertThat(healthy.path("summary").path("connectFailureRatio").asDouble()).isLessThan(0.02);

        // 4 %: over the profile's degraded level (2 %), under its critical level (10 %)
        assertThat(script(120, "traffic", "--fail-every", "25", "--missing-every", "0")).isZero();
        JsonNode degraded = await("Degraded again once 4 % of connects fail",
                status -> "Degraded".equals(status.path("health").asText()));
        assertThat(degraded.path("healthReasons").toString()).contains("connectFailureRatio")
                .doesNotContain("dnsErrorRatio");
        assertThat(degraded.path("summary").path("connectFailureRatio").asDouble()).isBetween(0.02, 0.06);
    }

    @Test
    @Order(5)
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
    @Order(6)
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
    @Order(7)
    void theOperatorAndTheAgentWereNeverForbidden() throws Exception {
        String operator = kubectl("logs", "-n", "sonde-system", "deploy/sonde-operator");
        String agent = kubectl("logs", "-n", "sonde-system", "pod/" + agentPod());
        assertThat(operator).as("operator log").isNotEmpty().doesNotContain(" 403", "Forbidden");
        assertThat(agent).as("agent log").isNotEmpty().doesNotContain(" 403", "Forbidden");
        assertThat(kubectl("get", "pods", "-n", "sonde-system", "-l", "app.kubernetes.io/name=sonde-operator", "-o",
                "jsonpath={.items[*].status.containerStatuses[0].restartCount}")).isEqualTo("0");
    }

    @Test
    @Order(8)
    void pausingAndDeletingTheMonitorsDetachesEverything() throws Exception {
        assertThat(sondeLinks()).as("the agent's links while checkout runs").isNotEmpty();
        assertTheTourShowsTheLinks("while checkout runs");
        patchPaused("checkout", "demo", true);
        patchPaused("platform", "sonde-system", true);
        awaitLinks("paused monitors: no links", Set::isEmpty);
        assertTheTourShowsTheLinks("paused");
        kubectl("wait", "--for=condition=Ready", "networkmonitor/checkout", "-n", "demo", "--timeout=30s");
        assertThat(checkout().path("status").path("conditions").toString()).contains("Paused");

        patchPaused("checkout", "demo", false);
        awaitLinks("checkout resumed: links again", links -> !links.isEmpty());

        kubectl("delete", "networkmonitor", "checkout", "-n", "demo");
        kubectl("delete", "networkmonitor", "platform", "-n", "sonde-system");
        awaitLinks("monitors deleted: no links", Set::isEmpty);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** Runs hack/demo.sh on this test's own control plane; its output goes to e2e/target/sonde-demo-it.log. */
    private static int script(long timeoutSeconds, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("hack/demo.sh"));
        command.addAll(List.of(args));
        // the reactor built the jars just now
        return CLUSTER.script(timeoutSeconds, Map.of("SONDE_DEMO_SKIP_BUILD", "1"), command.toArray(String[]::new))
                .exit();
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

    /** The Tcp: line of /proc/net/snmp as the pod's own network namespace has it. */
    private static Map<String, Long> tcpMib(String pod) throws Exception {
        String[] tcp = kubectl("exec", "-n", "demo", pod, "--", "cat", "/proc/net/snmp").lines()
                .filter(l -> l.startsWith("Tcp:")).toArray(String[]::new);
        String[] names = tcp[0].split("\\s+");
        String[] values = tcp[1].split("\\s+");
        Map<String, Long> mib = new HashMap<>();
        for (int i = 1; i < names.length; i++) {
            mib.put(names[i], Long.parseLong(values[i]));
        }
        return mib;
    }

    /** The agent's /metrics on the real node: "name{labels}" -> value. */
    private static Map<String, Double> agentMetrics() throws Exception {
        String ip = kubectl("get", "pod", agentPod(), "-n", "sonde-system", "-o", "jsonpath={.status.podIP}").strip();
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://" + ip + ":9466/metrics")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
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
