package dev.sonde.agent.node;

import static dev.sonde.agent.node.LocalNode.awaitReport;
import static dev.sonde.agent.node.LocalNode.createPod;
import static dev.sonde.agent.node.LocalNode.writeConfig;
import static dev.sonde.testsupport.Bpftool.sondeLinks;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.sonde.agent.probe.KernelCapabilities;
import dev.sonde.api.agent.AgentConfig;
import dev.sonde.api.agent.CompiledMonitor;
import dev.sonde.api.agent.CompiledProbe;
import dev.sonde.api.v1alpha1.AgentReport;
import dev.sonde.api.v1alpha1.NodeProbeState;
import dev.sonde.api.v1alpha1.ProbeName;
import dev.sonde.testsupport.ControlPlane;
import dev.sonde.testsupport.LocalControlPlane;
import dev.sonde.testsupport.LocalPorts;
import dev.sonde.testsupport.MetricsScrapers;
import dev.sonde.testsupport.TestNamespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The agent as a process, as it runs on a node: it listens on its metrics address only; SIGTERM detaches and exits,
 * SIGKILL leaves nothing attached.
 */
@LocalControlPlane
class AgentProcessIT {

    private static KubeletCgroups kubelet;
    private static KubernetesClient podClient;
    private static String podNamespace;
    private static final List<Process> AGENTS = new java.util.ArrayList<>();

    @BeforeAll
    static void requireRoot() {
        LocalNode.requireRoot(AgentProcessIT.class);
    }

    @AfterAll
    static void cleanUp() throws InterruptedException {
        // a failed assertion must not leave an agent running (and attached) behind
        for (Process agent : AGENTS) {
            agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (kubelet != null) {
            kubelet.close();
        }
        LocalNode.deletePodsNow(podClient, podNamespace);
    }

    @Test
    void sigtermDetachesAndExitsSigkillLeavesNothingAndARestartAttachesOneSet(ControlPlane cluster,
            KubernetesClient client, TestNamespace ns) throws Exception {
        cluster.installCrds();
        String node = cluster.hostNode();
        podClient = client;
        podNamespace = ns.name();
        Pod web = createPod(client, ns, node, "web-1", "web");
        kubelet = new KubeletCgroups(KernelCapabilities.detect().cgroup2Mount().orElseThrow());
        kubelet.besteffortContainer(web.getMetadata().getUid());
        writeConfig(client, ns, AgentConfig.of(List.of(new CompiledMonitor(ns.name(), "web", "uid-web", 0, "standard",
                1000, List.of(CompiledProbe.of(ProbeName.TCP_CONNECTIONS), CompiledProbe.of(ProbeName.TRAFFIC)),
                null, null, null, null))));
        assertThat(sondeLinks()).as("no sonde links before the agent starts").isEmpty();

        int metricsPort = LocalPorts.freeLoopbackPort();
        Process first = start(cluster, ns, node, metricsPort);
        Set<Integer> firstLinks = awaitLinks(client, ns, node, first);
        assertThat(listeners(first.pid())).as("the agent's only listener: the metrics address it was given")
                .containsExactly("127.0.0.1:" + metricsPort);
        // the agent's default listener: HTTPS (self-signed); /healthz needs no token
        HttpResponse<String> health = MetricsScrapers.get(URI.create("https://127.0.0.1:" + metricsPort + "/healthz"),
                null);
        assertThat(health.statusCode()).isEqualTo(200);
        long stopping = System.nanoTime();
        first.destroy(); // SIGTERM
        assertThat(first.waitFor(10, TimeUnit.SECONDS)).as("agent exits on SIGTERM").isTrue();
        System.out.printf("agent exited %d ms after SIGTERM (target: 2000 ms)%n",
                Duration.ofNanos(System.nanoTime() - stopping).toMillis());
        assertThat(sondeLinks()).as("links after SIGTERM").isEmpty();

        Process second = start(cluster, ns, node, metricsPort);
        Set<Integer> secondLinks = awaitLinks(client, ns, node, second);
        assertThat(secondLinks).hasSameSizeAs(firstLinks);
        second.destroyForcibly(); // SIGKILL: no shutdown hook runs
        assertThat(second.waitFor(10, TimeUnit.SECONDS)).isTrue();
        awaitNoLinks();

        Process third = start(cluster, ns, node, metricsPort);
        Set<Integer> thirdLinks = awaitLinks(client, ns, node, third);
        assertThat(sondeLinks()).as("exactly one set of links after a restart").isEqualTo(thirdLinks)
                .hasSameSizeAs(firstLinks);
        third.destroy();
        assertThat(third.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(sondeLinks()).isEmpty();
    }

    private static Process start(ControlPlane cluster, TestNamespace ns, String node, int metricsPort)
            throws java.io.IOException {
        Process agent = LocalNode.startAgent(cluster.kubeconfig(), ns, node, metricsPort);
        AGENTS.add(agent);
        return agent;
    }

    /**
     * Local addresses of the TCP and UDP sockets a process listens on, as ss (the kernel) lists them. The JVM binds
     * IPv4 addresses through dual-stack sockets, which ss shows IPv4-mapped ({@code [::ffff:127.0.0.1]:port}).
     */
    static List<String> listeners(long pid) throws Exception {
        Process ss = new ProcessBuilder("ss", "-H", "-l", "-n", "-t", "-u", "-p").start();
        String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(ss.waitFor()).isZero();
        return out.lines().filter(line -> line.contains("pid=" + pid + ","))
                .map(line -> line.trim().split("\\s+")[4].replaceFirst("^\\[::ffff:([\\d.]+)]", "$1")).toList();
    }

    /** The links the agent made once its report says the probes are attached. */
    private static Set<Integer> awaitLinks(KubernetesClient client, TestNamespace ns, String node, Process agent)
            throws Exception {
        client.resources(AgentReport.class).inNamespace(ns.name()).withName(node).delete();
        awaitReport(client, ns, node, report -> report.getSpec().getProbes().stream()
                .filter(p -> p.getState() == NodeProbeState.ATTACHED).count() == 2,
                "tcpConnections and traffic attached by pid " + agent.pid());
        Set<Integer> links = sondeLinks();
        assertThat(links).as("bpftool sees the agent's links").isNotEmpty();
        return links;
    }

    // The kernel releases links when the killed process's fds close, which may take a moment after exit.
    private static void awaitNoLinks() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!sondeLinks().isEmpty()) {
            if (System.nanoTime() > deadline) {
                fail("sonde links still attached 10 s after SIGKILL: " + sondeLinks());
            }
            LocalNode.sleep(100);
        }
    }
}
