package dev.sonde.agent.node;

import static dev.sonde.agent.node.LocalNode.awaitReport;
import static dev.sonde.agent.node.LocalNode.client;
import static dev.sonde.agent.node.LocalNode.createPod;
import static dev.sonde.agent.node.LocalNode.netload;
import static dev.sonde.agent.node.LocalNode.readyPort;
import static dev.sonde.agent.node.LocalNode.writeConfig;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sonde.agent.probe.KernelCapabilities;
import dev.sonde.api.agent.AgentConfig;
import dev.sonde.api.agent.CompiledMonitor;
import dev.sonde.api.agent.CompiledProbe;
import dev.sonde.api.agent.CompiledSelector;
import dev.sonde.api.v1alpha1.AgentReport;
import dev.sonde.api.v1alpha1.MonitorWindow;
import dev.sonde.api.v1alpha1.ProbeName;
import dev.sonde.testsupport.ControlPlane;
import dev.sonde.testsupport.LocalControlPlane;
import dev.sonde.testsupport.LocalPorts;
import dev.sonde.testsupport.MetricsScrapers;
import dev.sonde.testsupport.TestNamespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The API server goes away under a running agent (its connections broken, new ones refused) for 40 s while a pod
 * makes traffic: the agent keeps collecting, stays alive and healthy ({@code /healthz}, which the DaemonSet's
 * liveness probe reads), and once the API server is back its report carries every connection made during the
 * outage.
 */
@LocalControlPlane
class ApiServerOutageIT {

    private static final int CONNECTS = 15;
    private static final Pattern SERVER = Pattern.compile("server: https://([\\d.]+):(\\d+)");

    private static KubeletCgroups kubelet;
    private static Process agent;
    private static TcpProxy proxy;
    private static KubernetesClient podClient;
    private static String podNamespace;

    @BeforeAll
    static void requireRoot() {
        LocalNode.requireRoot(ApiServerOutageIT.class);
    }

    @AfterAll
    static void stop() throws Exception {
        AutoCloseable stopAgent = agent == null ? null : () -> {
            agent.destroy();
            agent.waitFor(10, TimeUnit.SECONDS);
        };
        LocalNode.closeAll(stopAgent, proxy, kubelet);
        LocalNode.deletePodsNow(podClient, podNamespace);
    }

    @Test
    void keepsCollectingWhileTheApiServerIsDownAndReportsItAfterwards(ControlPlane cluster, KubernetesClient client,
            TestNamespace ns) throws Exception {
        cluster.installCrds();
        String node = cluster.hostNode();
        podClient = client;
        podNamespace = ns.name();
        Pod web = createPod(client, ns, node, "web-1", "web");
        kubelet = new KubeletCgroups(KernelCapabilities.detect().cgroup2Mount().orElseThrow());
        Path webCgroup = kubelet.besteffortContainer(web.getMetadata().getUid());
        writeConfig(client, ns, AgentConfig.of(List.of(new CompiledMonitor(ns.name(), "web", "uid-web", 0, "standard",
                1000, List.of(CompiledProbe.of(ProbeName.TCP_CONNECTIONS)), List.of(ns.name()),
                new CompiledSelector(Map.of("app", "web"), List.of()), null, null))));

        // The agent reaches the API server through a proxy the test can cut.
        String kubeconfig = Files.readString(cluster.kubeconfig());
        Matcher server = SERVER.matcher(kubeconfig);
        assertThat(server.find()).as("API server URL in " + cluster.kubeconfig()).isTrue();
        proxy = new TcpProxy(new InetSocketAddress(server.group(1), Integer.parseInt(server.group(2))));
        Path proxied = Files.createTempFile("sonde-outage", ".kubeconfig");
        Files.writeString(proxied, server.replaceFirst("server: https://$1:" + proxy.port()));
        int metricsPort = LocalPorts.freeLoopbackPort();
        agent = LocalNode.startAgent(proxied, ns, node, metricsPort);
        awaitReport(client, ns, node, report -> !report.getSpec().getMonitors().isEmpty()
                && report.getSpec().getMonitors().getFirst().getPods() == 1, "web-1 selected");

        Process netServer = kubelet.runIn(kubelet.besteffortContainer(UUID.randomUUID().toString()), "python3",
                netload(), "server", "--conns", String.valueOf(CONNECTS));
        int port = readyPort(netServer);
        long rssBefore = rssKib(agent.pid());

        proxy.cut();
        Instant cut = Instant.now();
        assertThat(client(kubelet, webCgroup, port, CONNECTS)).containsEntry("ok", CONNECTS);
        // longer than the liveness probe's patience (30 s without a loop tick): the loop must not hang in requests
        LocalNode.sleep(40_000);
        assertThat(agent.isAlive()).as("agent alive through the outage").isTrue();
        assertThat(health(metricsPort)).as("agent loop keeps running through the outage").isEqualTo(200);
        long rssDuring = rssKib(agent.pid());
        AgentReport stale = client.resources(AgentReport.class).inNamespace(ns.name()).withName(node).get();
        assertThat(Instant.parse(stale.getSpec().getWindowEnd())).as("no report got through the cut proxy")
                .isBefore(cut.plusSeconds(2));

        proxy.restore();
        Set<String> seen = new HashSet<>();
        long[] connects = {0};
        awaitReport(client, ns, node, report -> {
            MonitorWindow window = report.getSpec().getMonitors().getFirst();
            if (seen.add(report.getSpec().getWindowStart())) {
                connects[0] += window.getCounters().getConnectsActive();
            }
            return connects[0] >= CONNECTS && Instant.parse(report.getSpec().getWindowEnd()).isAfter(cut);
        }, "the outage's connects reported after the API server came back");
        assertThat(connects[0]).as("connects made during the outage, each counted once").isEqualTo(CONNECTS);
        System.out.printf("agent RSS: %d KiB before the outage, %d KiB after 40 s of it%n", rssBefore, rssDuring);
        assertThat(netServer.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }

    private static int health(int port) throws Exception {
        // the agent's default listener: HTTPS (self-signed); /healthz needs no token, nor the API server
        return MetricsScrapers.get(URI.create("https://127.0.0.1:" + port + "/healthz"), null).statusCode();
    }

    private static long rssKib(long pid) throws Exception {
        return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                .filter(line -> line.startsWith("VmRSS:"))
                .mapToLong(line -> Long.parseLong(line.replaceAll("\\D", ""))).findFirst().orElseThrow();
    }
}
