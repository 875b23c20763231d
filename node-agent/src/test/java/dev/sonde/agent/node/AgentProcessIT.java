package dev.sonde.agent.node;

import static dev.sonde.agent.node.LocalNode.awaitReport;
import static dev.sonde.agent.node.LocalNode.createPod;
import static dev.sonde.agent.node.LocalNode.sondeLinks;
import static dev.sonde.agent.node.LocalNode.writeConfig;
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
import dev.sonde.testsupport.TestNamespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The agent as a process, as it runs on a node: SIGTERM detaches and exits, SIGKILL leaves nothing attached. */
@LocalControlPlane
class AgentProcessIT {

    private static KubeletCgroups kubelet;
    private static KubernetesClient podClient;
    private static String podNamespace;

    @BeforeAll
    static void requireRoot() {
        LocalNode.requireRoot(AgentProcessIT.class);
    }

    @AfterAll
    static void cleanUp() throws InterruptedException {
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

        Process first = startAgent(cluster, ns, node);
        Set<Integer> firstLinks = awaitLinks(client, ns, node, first);
        long stopping = System.nanoTime();
        first.destroy(); // SIGTERM
        assertThat(first.waitFor(10, TimeUnit.SECONDS)).as("agent exits on SIGTERM").isTrue();
        System.out.printf("agent exited %d ms after SIGTERM (target: 2000 ms)%n",
                Duration.ofNanos(System.nanoTime() - stopping).toMillis());
        assertThat(sondeLinks()).as("links after SIGTERM").isEmpty();

        Process second = startAgent(cluster, ns, node);
        Set<Integer> secondLinks = awaitLinks(client, ns, node, second);
        assertThat(secondLinks).hasSameSizeAs(firstLinks);
        second.destroyForcibly(); // SIGKILL: no shutdown hook runs
        assertThat(second.waitFor(10, TimeUnit.SECONDS)).isTrue();
        awaitNoLinks();

        Process third = startAgent(cluster, ns, node);
        Set<Integer> thirdLinks = awaitLinks(client, ns, node, third);
        assertThat(sondeLinks()).as("exactly one set of links after a restart").isEqualTo(thirdLinks)
                .hasSameSizeAs(firstLinks);
        third.destroy();
        assertThat(third.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(sondeLinks()).isEmpty();
    }

    private static Process startAgent(ControlPlane cluster, TestNamespace ns, String node) throws Exception {
        Path log = Path.of("target", "agent-" + System.nanoTime() + ".log");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                AgentMain.class.getName())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("NODE_NAME", node);
        builder.environment().put("SONDE_NAMESPACE", ns.name());
        builder.environment().put("KUBECONFIG", cluster.kubeconfig().toString());
        System.out.println("agent log: " + new File(log.toString()).getAbsolutePath());
        return builder.start();
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
