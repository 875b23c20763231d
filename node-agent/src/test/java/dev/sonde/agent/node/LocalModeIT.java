package dev.sonde.agent.node;

import static dev.sonde.agent.node.LocalNode.CONFIG_MAP;
import static dev.sonde.agent.node.LocalNode.awaitReport;
import static dev.sonde.agent.node.LocalNode.client;
import static dev.sonde.agent.node.LocalNode.createPod;
import static dev.sonde.agent.node.LocalNode.netload;
import static dev.sonde.agent.node.LocalNode.readyPort;
import static dev.sonde.agent.node.LocalNode.writeConfig;
import static dev.sonde.testsupport.Bpftool.sondeLinks;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sonde.agent.pods.PodCgroupResolver;
import dev.sonde.agent.probe.KernelCapabilities;
import dev.sonde.agent.probe.KernelProbes;
import dev.sonde.api.agent.AgentConfig;
import dev.sonde.api.agent.CompiledMonitor;
import dev.sonde.api.agent.CompiledProbe;
import dev.sonde.api.agent.CompiledSelector;
import dev.sonde.api.v1alpha1.AgentReport;
import dev.sonde.api.v1alpha1.MonitorWindow;
import dev.sonde.api.v1alpha1.NodeProbeState;
import dev.sonde.api.v1alpha1.ProbeName;
import dev.sonde.testsupport.Bpftool;
import dev.sonde.testsupport.ControlPlane;
import dev.sonde.testsupport.LocalControlPlane;
import dev.sonde.testsupport.TestNamespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The agent in local mode, as on a real node: this host is a Node of the local control plane, pods are bound to it,
 * their cgroups are laid out as the kubelet would, and processes in them make traffic. What the agent reports is
 * checked against what the applications did and what bpftool sees.
 */
@LocalControlPlane
class LocalModeIT {

    private static final int CONNECTS = 12;
    /** A new container's cgroup is selected within a loop tick or two; far below the 60 s full rescan. */
    private static final Duration SELECTED_WITHIN = Duration.ofSeconds(5);

    private static KubeletCgroups kubelet;
    private static NodeAgent agent;
    private static KubernetesClient podClient;
    private static String podNamespace;

    @BeforeAll
    static void requireRoot() {
        LocalNode.requireRoot(LocalModeIT.class);
    }

    @AfterAll
    static void stop() throws Exception {
        LocalNode.closeAll(agent, kubelet);
        LocalNode.deletePodsNow(podClient, podNamespace);
    }

    @Test
    void reportsExactlyTheSelectedPodsTrafficFollowsLabelsAndDetachesWhenTheMonitorGoes(ControlPlane cluster,
            KubernetesClient client, TestNamespace ns) throws Exception {
        cluster.installCrds();
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

        CompiledMonitor monitor = new CompiledMonitor(ns.name(), "web", "uid-web", 0, "standard", 1000,
                List.of(CompiledProbe.of(ProbeName.TCP_CONNECTIONS), CompiledProbe.of(ProbeName.TRAFFIC)),
                List.of(ns.name()), new CompiledSelector(Map.of("app", "web"), List.of()), null, null);
        writeConfig(client, ns, AgentConfig.of(List.of(monitor)));

        KernelProbes probes = KernelProbes.load(KernelProbes.Config.defaults(), caps);
        agent = new NodeAgent(client, probes, caps, new PodCgroupResolver(cgroupRoot, List.of("/")),
                new NodeAgent.Settings(node, ns.name(), CONFIG_MAP, "test"), Clock.systemUTC());
        agent.start();

        awaitReport(client, ns, node, report -> attached(report, ProbeName.TCP_CONNECTIONS)
                && window(report).getPods() == 1, "tcpConnections attached and the web pod selected");
        assertThat(sondeLinks()).as("bpftool link show: sonde programs attached").isNotEmpty();

        // Ground truth: what each client says it did.
        // The server runs in a cgroup of its own that no pod owns, so it is never selected.
        Path serverCgroup = kubelet.besteffortContainer(UUID.randomUUID().toString());
        Process server = kubelet.runIn(serverCgroup, "python3", netload(), "server", "--conns",
                String.valueOf(4 * CONNECTS));
        int port = readyPort(server);
        assertThat(client(kubelet, webCgroup, port, CONNECTS)).containsEntry("ok", CONNECTS);
        assertThat(client(kubelet, otherCgroup, port, CONNECTS)).containsEntry("ok", CONNECTS);

        WindowSums sums = new WindowSums();
        awaitReport(client, ns, node, report -> sums.add(report) && sums.connects >= CONNECTS,
                "web's connects reported");
        awaitQuietWindows(client, ns, node, sums, 3);
        assertThat(sums.connects).as("active opens from the selected pod only").isEqualTo(CONNECTS);
        assertThat(sums.bytesSent).as("bytes the selected client wrote (1 byte per connect)").isEqualTo(CONNECTS);

        // A container that starts later: its cgroup appears with no pod event; the cgroup watch sees it.
        Path sidecarCgroup = kubelet.besteffortContainer(web.getMetadata().getUid());
        long sidecarId = ((Number) Files.getAttribute(sidecarCgroup, "unix:ino")).longValue();
        awaitSelectedInTheKernel(sidecarId);
        assertThat(client(kubelet, sidecarCgroup, port, CONNECTS)).containsEntry("ok", CONNECTS);
        awaitReport(client, ns, node, report -> sums.add(report) && sums.connects >= 2 * CONNECTS,
                "the sidecar's connects reported");
        awaitQuietWindows(client, ns, node, sums, 3);
        assertThat(sums.connects).as("the web pod's two containers").isEqualTo(2L * CONNECTS);

        // The other pod gets the monitor's label: it is selected from then on.
        client.pods().inNamespace(ns.name()).withName("other-1").edit(p -> new PodBuilder(p)
                .editMetadata().addToLabels("app", "web").endMetadata().build());
        awaitReport(client, ns, node, report -> window(report).getPods() == 2, "both pods selected");
        assertThat(client(kubelet, otherCgroup, port, CONNECTS)).containsEntry("ok", CONNECTS);
        awaitReport(client, ns, node, report -> sums.add(report) && sums.connects >= 3 * CONNECTS,
                "the relabelled pod's connects reported");
        awaitQuietWindows(client, ns, node, sums, 3);
        assertThat(sums.connects).isEqualTo(3L * CONNECTS);

        // The monitor goes: nothing is selected and no probe stays attached.
        writeConfig(client, ns, AgentConfig.of(List.of()));
        awaitReport(client, ns, node, report -> report.getSpec().getMonitors().isEmpty()
                && !attached(report, ProbeName.TCP_CONNECTIONS) && !attached(report, ProbeName.TRAFFIC),
                "probes detached after the monitor was removed");
        assertThat(sondeLinks()).as("bpftool link show after the monitor was removed").isEmpty();
        server.destroyForcibly();
    }

    /**
     * Waits until the kernel's selection map holds the cgroup: well within the agent's full rescan
     * ({@code PodCgroupWatch.FULL_RESCAN}), so only the watch can have found it.
     */
    private static void awaitSelectedInTheKernel(long cgroupId) throws Exception {
        long deadline = System.nanoTime() + SELECTED_WITHIN.toNanos();
        while (!Bpftool.u64Keys("selected_cgroups").contains(cgroupId)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("cgroup " + cgroupId + " not in the kernel's selected_cgroups map within "
                        + SELECTED_WITHIN + ": " + Bpftool.u64Keys("selected_cgroups"));
            }
            Thread.sleep(100);
        }
    }

    /** Adds up distinct report windows of the monitor, as the operator would over time. */
    private static final class WindowSums {
        private final Set<String> seen = new HashSet<>();
        long connects;
        long bytesSent;
        long windows;

        boolean add(AgentReport report) {
            if (report.getSpec().getMonitors().isEmpty() || !seen.add(report.getSpec().getWindowStart())) {
                return true;
            }
            MonitorWindow window = window(report);
            connects += window.getCounters().getConnectsActive();
            bytesSent += window.getCounters().getBytesSent();
            windows++;
            return true;
        }
    }

    /** Waits for {@code count} more windows, so a late count would show up. */
    private static void awaitQuietWindows(KubernetesClient client, TestNamespace ns, String node, WindowSums sums,
            int count) {
        long target = sums.windows + count;
        awaitReport(client, ns, node, report -> sums.add(report) && sums.windows >= target,
                count + " more windows");
    }

    private static MonitorWindow window(AgentReport report) {
        return report.getSpec().getMonitors().stream().filter(w -> w.getName().equals("web")).findFirst()
                .orElseThrow(() -> new AssertionError("no window for monitor web in " + report.getSpec().getMonitors()));
    }

    private static boolean attached(AgentReport report, ProbeName probe) {
        return report.getSpec().getProbes().stream()
                .anyMatch(p -> p.getName() == probe && p.getState() == NodeProbeState.ATTACHED);
    }
}
