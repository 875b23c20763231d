package dev.sonde.e2e;

import static dev.sonde.testsupport.Bpftool.sondeLinks;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sonde.testsupport.ControlPlane;
import dev.sonde.testsupport.LocalControlPlane;
import dev.sonde.testsupport.OtelCollector;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The README's main command, {@code hack/demo.sh}, run as a user runs it (with the jars this build made), and what
 * it promises checked through kubectl, the OpenTelemetry Collector's output and bpftool. The demo's workloads are
 * deterministic: the checkout client's every 20th connect goes to a closed port and the resolver's every 10th
 * lookup is for a missing name, so the failure ratios are known in advance.
 */
@LocalControlPlane
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DemoFlowIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WINDOWS = Duration.ofSeconds(100); // 15 s windows: a few of them, with slack

    private static ControlPlane cluster;

    @BeforeAll
    static void runTheDemo(ControlPlane controlPlane) throws Exception {
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new AssertionError("the demo loads eBPF programs and creates cgroups: run as root (hack/test.sh)");
        }
        cluster = controlPlane;
        Process demo = demo().start();
        if (!demo.waitFor(6, TimeUnit.MINUTES)) {
            demo.destroyForcibly();
            throw new AssertionError("hack/demo.sh did not finish within 6 minutes; see e2e/target/demo.log");
        }
        assertThat(demo.exitValue()).as("hack/demo.sh exit code (e2e/target/demo.log)").isZero();
    }

    @AfterAll
    static void stopTheDemo() throws Exception {
        if (cluster == null) {
            return;
        }
        Process down = demo("down").start();
        assertThat(down.waitFor(2, TimeUnit.MINUTES)).as("hack/demo.sh down finished").isTrue();
        assertThat(sondeLinks()).as("nothing attached after hack/demo.sh down").isEmpty();
    }

    @Test
    @Order(1)
    void checkoutIsReadyOnTheHostNodeWithLiveHealth() throws Exception {
        String table = cluster.kubectl("get", "networkmonitors", "-n", "demo").orThrow();
        System.out.println(table);
        assertThat(table.lines().filter(line -> line.startsWith("checkout"))).singleElement().asString()
                .contains("standard").contains(" 1/1 ");
        cluster.kubectl("wait", "--for=condition=Ready", "networkmonitor/checkout", "-n", "demo", "--timeout=10s")
                .orThrow();
        JsonNode status = checkout().path("status");
        assertThat(status.path("nodes").path("desired").asInt()).isEqualTo(1);
        assertThat(status.path("nodes").path("ready").asInt()).isEqualTo(1);
        assertThat(status.path("pods").path("matched").asInt()).as("client, server, resolver").isEqualTo(3);
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
        assertThat(summary.path("connectionsPerSecond").asDouble()).isBetween(25.0, 46.0);
        // the standard profile has tcpRetransmits but not traffic: RETRANS has a value all the same
        assertThat(summary.path("retransmitRatio").isNumber()).as("retransmitRatio in " + summary).isTrue();
        String table = cluster.kubectl("get", "networkmonitor", "checkout", "-n", "demo", "-o",
                "custom-columns=RETRANS:.status.summary.retransmitRatio", "--no-headers").orThrow().strip();
        assertThat(table).as("the RETRANS column").isNotEmpty().isNotEqualTo("<none>");
        JsonNode status = checkout().path("status");
        assertThat(status.path("health").asText()).isEqualTo("Degraded");
        assertThat(status.path("healthReasons").toString()).contains("connectFailureRatio").contains("dnsErrorRatio");
    }

    @Test
    @Order(3)
    void healthFollowsTheFailureShareAcrossTheThreshold() throws Exception {
        run(demo("traffic", "--fail-every", "0", "--missing-every", "0"));
        JsonNode healthy = await("Healthy once connects and lookups stop failing",
                status -> "Healthy".equals(status.path("health").asText()));
        // the first healthy window may still hold the last failures from before the switch
        assertThat(healthy.path("summary").path("connectFailureRatio").asDouble()).isLessThan(0.02);

        // 4 %: over the profile's degraded level (2 %), under its critical level (10 %)
        run(demo("traffic", "--fail-every", "25", "--missing-every", "0"));
        JsonNode degraded = await("Degraded again once 4 % of connects fail",
                status -> "Degraded".equals(status.path("health").asText()));
        assertThat(degraded.path("healthReasons").toString()).contains("connectFailureRatio")
                .doesNotContain("dnsErrorRatio");
        assertThat(degraded.path("summary").path("connectFailureRatio").asDouble()).isBetween(0.02, 0.06);
    }

    @Test
    @Order(4)
    void otlpReachesTheCollectorWithTheContractsNamesAndResource() throws Exception {
        String client = cluster.kubectl("get", "pod", "checkout-client", "-n", "demo", "-o",
                "jsonpath={.metadata.uid}").orThrow();
        Path file = cluster.repoRoot().resolve(".local/demo/otlp-metrics.json");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        List<OtelCollector.DataPoint> points = OtelCollector.readDataPoints(file);
        while (clientConnects(points, client) == 0 && System.nanoTime() < deadline) {
            Thread.sleep(1000);
            points = OtelCollector.readDataPoints(file);
        }
        assertThat(clientConnects(points, client)).as("active connects of checkout-client in " + file).isPositive();
        OtelCollector.DataPoint connects = points.stream().filter(p -> p.metric().equals("sonde.tcp.connections")
                && client.equals(p.resource().get("k8s.pod.uid"))).findFirst().orElseThrow();
        assertThat(connects.resource()).containsAllEntriesOf(Map.of("k8s.namespace.name", "demo",
                "k8s.pod.name", "checkout-client", "k8s.node.name", cluster.hostNode(),
                "sonde.monitor", "demo/checkout"));
        Set<String> names = points.stream().map(OtelCollector.DataPoint::metric).collect(Collectors.toSet());
        assertThat(names).contains("sonde.tcp.connections", "sonde.tcp.connect.failures", "sonde.tcp.connect.duration",
                "sonde.tcp.retransmits", "sonde.tcp.resets", "sonde.tcp.rtt", "sonde.dns.queries",
                "sonde.dns.duration", "sonde.dns.errors");
        assertThat(points).as("the resolver's NXDOMAIN answers").anyMatch(p -> p.metric().equals("sonde.dns.errors")
                && "NXDOMAIN".equals(p.attributes().get("dns.rcode")) && p.value() > 0);
        assertThat(points).as("inventory is not selected by any monitor that exports OTLP")
                .noneMatch(p -> "inventory".equals(p.resource().get("k8s.pod.name")));
    }

    @Test
    @Order(5)
    void pausingAndDeletingTheMonitorsDetachesEverything() throws Exception {
        assertThat(sondeLinks()).as("the agent's links while checkout runs").isNotEmpty();
        assertTheTourShowsTheLinks("while checkout runs");
        patchPaused("checkout", "demo", true);
        patchPaused("platform", "sonde-system", true);
        awaitLinks("paused monitors: no links", Set::isEmpty);
        assertTheTourShowsTheLinks("paused");
        cluster.kubectl("wait", "--for=condition=Ready", "networkmonitor/checkout", "-n", "demo", "--timeout=30s")
                .orThrow();
        assertThat(checkout().path("status").path("conditions").toString()).contains("Paused");

        patchPaused("checkout", "demo", false);
        awaitLinks("checkout resumed: links again", links -> !links.isEmpty());

        cluster.kubectl("delete", "networkmonitor", "checkout", "-n", "demo").orThrow();
        cluster.kubectl("delete", "networkmonitor", "platform", "-n", "sonde-system").orThrow();
        awaitLinks("monitors deleted: no links", Set::isEmpty);
    }

    private static ProcessBuilder demo(String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("bash", "hack/demo.sh"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(cluster.repoRoot().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(Path.of("target", "demo.log").toFile()));
        builder.environment().put("SONDE_DEMO_SKIP_BUILD", "1");  // the reactor built the jars just now
        builder.environment().put("SONDE_DEMO_KEEP_CLUSTER", "1"); // the test command owns the cluster
        return builder;
    }

    private static void run(ProcessBuilder builder) throws Exception {
        Process process = builder.start();
        assertThat(process.waitFor(1, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", builder.command())).isZero();
    }

    private static JsonNode checkout() throws IOException {
        return JSON.readTree(cluster.kubectl("get", "networkmonitor", "checkout", "-n", "demo", "-o", "json")
                .orThrow());
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

    private static void patchPaused(String name, String namespace, boolean paused) {
        cluster.kubectl("patch", "networkmonitor", name, "-n", namespace, "--type=merge", "-p",
                "{\"spec\":{\"paused\":" + paused + "}}").orThrow();
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
        assertThat(Files.readString(cluster.repoRoot().resolve("README.md"))).as("the README tour")
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
        Process process = new ProcessBuilder("bash", "hack/demo.sh", "links").directory(cluster.repoRoot().toFile())
                .redirectError(ProcessBuilder.Redirect.appendTo(Path.of("target", "demo.log").toFile())).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("hack/demo.sh links finished").isTrue();
        assertThat(process.exitValue()).as("hack/demo.sh links exit code (e2e/target/demo.log)").isZero();
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
