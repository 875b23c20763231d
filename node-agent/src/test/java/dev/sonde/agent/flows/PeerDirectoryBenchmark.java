package dev.sonde.agent.flows;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * What the flows probe's identity data costs the agent per 1,000 cluster pods (docs/benchmarks.md, "Flows"): on the
 * local control plane with {@code bench.clusterPods} pods on KWOK nodes, the heap the agent's
 * {@link ClusterPeerDirectory} holds after identifying every one of those pods' addresses (the worst case: the node's
 * pods talk to every pod of the cluster), side by side with what a watch of every pod (a pod informer, what an agent
 * without the lookup would keep) holds for the same cluster. Heap is measured after full collections, in this JVM
 * (run it with {@code -XX:+UseSerialGC}). Prints a Markdown table; not a test, it asserts nothing.
 *
 * <p>System properties: {@code bench.clusterPods} (1000), {@code bench.output} (Markdown file). Environment:
 * KUBECONFIG of a cluster with KWOK nodes ({@code hack/cluster.sh up --nodes 10}).
 */
public final class PeerDirectoryBenchmark {

    private static final String NAMESPACE = "sonde-bench-peers";

    private PeerDirectoryBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int count = Integer.getInteger("bench.clusterPods", 1000);
        try (KubernetesClient client = new KubernetesClientBuilder().build()) {
            List<String> ips = clusterPods(client, count);
            // each figure is what one structure holds: heap with it, minus heap once it is closed and unreachable
            // (the client's own buffers and caches are warm in both readings)
            ClusterPeerDirectory empty = new ClusterPeerDirectory(client, Clock.systemUTC());
            empty.identify(InetAddress.getLoopbackAddress());
            long withServices = heapAfterGc();
            empty.close();
            empty = null;
            long servicesBytes = withServices - heapAfterGc();

            ClusterPeerDirectory directory = new ClusterPeerDirectory(client, Clock.systemUTC());
            long start = System.nanoTime();
            int pods = 0;
            for (String ip : ips) {
                if (directory.identify(InetAddress.getByName(ip)).kind() == PeerIdentity.Kind.POD) {
                    pods++;
                }
            }
            double lookupMs = (System.nanoTime() - start) / 1e6 / ips.size();
            int cached = directory.cached();
            long lookups = directory.lookups();
            long identified = heapAfterGc();
            Reference.reachabilityFence(directory);
            directory.close();
            directory = null;
            long directoryBytes = identified - heapAfterGc() - servicesBytes;

            SharedIndexInformer<Pod> informer = client.pods().inAnyNamespace().inform();
            informer.run();
            while (!informer.hasSynced()) {
                TimeUnit.MILLISECONDS.sleep(100);
            }
            long informed = heapAfterGc();
            int stored = informer.getStore().list().size();
            Reference.reachabilityFence(informer);
            informer.close();
            informer = null;
            long informerBytes = informed - heapAfterGc();

            String table = table(ips.size(), pods, cached, lookups, lookupMs, servicesBytes, directoryBytes, stored,
                    informerBytes);
            System.out.println(table);
            String output = System.getProperty("bench.output");
            if (output != null) {
                Files.createDirectories(Path.of(output).toAbsolutePath().getParent());
                Files.writeString(Path.of(output), table);
            }
        } finally {
            try (KubernetesClient client = new KubernetesClientBuilder().build()) {
                client.namespaces().withName(NAMESPACE).delete();
            }
        }
    }

    static String table(int addresses, int pods, int cached, long lookups, double lookupMs, long servicesBytes,
            long directoryBytes, int stored, long informerBytes) {
        StringBuilder b = new StringBuilder();
        b.append(fmt("Identity data for %,d pod addresses of the cluster (pods on KWOK nodes; %,d identified as pods, "
                + "%,d addresses cached, %,d API lookups, %.1f ms per lookup), heap after full GC:%n%n", addresses,
                pods, cached, lookups, lookupMs));
        b.append("| identity data | heap (KiB) | per 1,000 pods (KiB) |\n|---|---:|---:|\n");
        b.append(fmt("| the agent's directory: the Services watch | %,.0f | - |%n", servicesBytes / 1024.0));
        b.append(fmt("| the agent's directory: the cached identities, every address looked up once (worst case) "
                + "| %,.0f | %,.0f |%n",
                directoryBytes / 1024.0, directoryBytes / 1024.0 * 1000 / Math.max(1, addresses)));
        b.append(fmt("| for comparison: a watch of every pod (%,d in its store) | %,.0f | %,.0f |%n", stored,
                informerBytes / 1024.0, informerBytes / 1024.0 * 1000 / Math.max(1, stored)));
        if (directoryBytes > 0) {
            b.append(fmt("%nRatio (directory, all addresses / pod watch): %.3f.%n",
                    (double) directoryBytes / informerBytes));
        }
        return b.toString();
    }

    /** {@code count} pods spread over the KWOK nodes, each with the address KWOK gave it. */
    private static List<String> clusterPods(KubernetesClient client, int count) throws InterruptedException {
        List<String> nodes = client.nodes().withLabel("type", "kwok").list().getItems().stream()
                .map(n -> n.getMetadata().getName()).toList();
        int capacity = client.nodes().withLabel("type", "kwok").list().getItems().stream()
                .mapToInt(PeerDirectoryBenchmark::podCapacity).sum();
        if (nodes.isEmpty() || capacity < count) {
            throw new IllegalStateException("need KWOK nodes for " + count + " pods, have " + nodes.size()
                    + " nodes for " + capacity + ": hack/cluster.sh up --nodes " + (count / 100 + 1));
        }
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata()
                .build()).serverSideApply();
        for (int i = 0; i < count; i++) {
            client.pods().inNamespace(NAMESPACE).resource(new PodBuilder()
                    .withNewMetadata().withName("peer-" + i).addToLabels("app", "peer-" + (i % 50)).endMetadata()
                    .withNewSpec().withNodeName(nodes.get(i % nodes.size()))
                    .addNewContainer().withName("app").withImage("registry.invalid/sonde/peer:bench").endContainer()
                    .endSpec().build()).serverSideApply();
        }
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (true) {
            List<String> ips = new ArrayList<>();
            for (Pod p : client.pods().inNamespace(NAMESPACE).list().getItems()) {
                if (p.getStatus() != null && p.getStatus().getPodIP() != null) {
                    ips.add(p.getStatus().getPodIP());
                }
            }
            if (ips.size() >= count) {
                return ips;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("KWOK gave " + ips.size() + " of " + count + " pods an address");
            }
            TimeUnit.SECONDS.sleep(2);
        }
    }

    private static int podCapacity(Node n) {
        var pods = n.getStatus() == null || n.getStatus().getAllocatable() == null ? null
                : n.getStatus().getAllocatable().get("pods");
        return pods == null ? 0 : pods.getNumericalAmount().intValue();
    }

    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            TimeUnit.MILLISECONDS.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
