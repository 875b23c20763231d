package dev.sonde.agent.node;

import static dev.sonde.agent.node.LocalNode.CONFIG_MAP;
import static dev.sonde.agent.node.LocalNode.awaitReport;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sonde.agent.pods.PodCgroupResolver;
import dev.sonde.agent.probe.KernelCapabilities;
import dev.sonde.agent.probe.KernelProbes;
import dev.sonde.api.v1alpha1.AgentReport;
import dev.sonde.testsupport.ControlPlane;
import dev.sonde.testsupport.LocalControlPlane;
import dev.sonde.testsupport.TestNamespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A node's AgentReport is owned by its Node: the API server's garbage collector deletes it with the Node. */
@LocalControlPlane
class AgentReportGcIT {

    private static NodeAgent agent;

    @BeforeAll
    static void requireRoot() {
        LocalNode.requireRoot(AgentReportGcIT.class);
    }

    @AfterAll
    static void stop() throws Exception {
        LocalNode.closeAll(agent);
    }

    @Test
    void theReportOfADeletedNodeIsCollected(ControlPlane cluster, KubernetesClient client, TestNamespace ns)
            throws Exception {
        cluster.installCrds();
        String nodeName = "gc-" + UUID.randomUUID().toString().substring(0, 8);
        // a Node object with no kubelet behind it: enough to own a report
        Node node = client.nodes().resource(new NodeBuilder().withNewMetadata().withName(nodeName)
                .addToLabels("sonde.dev/test", "agent-report-gc").endMetadata().build()).create();
        try {
            KernelCapabilities caps = KernelCapabilities.detect();
            Path cgroupRoot = caps.cgroup2Mount().orElseThrow(() -> new AssertionError("no cgroup2 mount"));
            agent = new NodeAgent(client, KernelProbes.load(KernelProbes.Config.defaults(), caps), caps,
                    new PodCgroupResolver(cgroupRoot, List.of("/")),
                    new NodeAgent.Settings(nodeName, ns.name(), CONFIG_MAP, "test"), Clock.systemUTC());
            agent.start();
            awaitReport(client, ns, nodeName, report -> report.getMetadata().getOwnerReferences().stream()
                    .anyMatch(o -> "Node".equals(o.getKind()) && node.getMetadata().getUid().equals(o.getUid())),
                    "a report owned by Node " + nodeName);
            agent.close();
            agent = null;
        } finally {
            client.nodes().withName(nodeName).delete();
        }

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        AgentReport report = client.resources(AgentReport.class).inNamespace(ns.name()).withName(nodeName).get();
        while (report != null && System.nanoTime() < deadline) {
            Thread.sleep(250);
            report = client.resources(AgentReport.class).inNamespace(ns.name()).withName(nodeName).get();
        }
        assertThat(report).as("AgentReport of deleted Node " + nodeName + " (kube-controller-manager's garbage "
                + "collector deletes it)").isNull();
    }
}
