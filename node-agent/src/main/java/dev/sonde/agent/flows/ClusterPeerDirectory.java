package dev.sonde.agent.flows;

import dev.sonde.agent.pods.Workload;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster as a directory of peer addresses, at a cost that grows with the peers seen, not with the cluster:
 * Services from a watch (their ClusterIPs are the virtual addresses pods connect to; Services are few), and pods and
 * nodes looked up only when a flow names their address — a pod list by {@code status.podIP} (a field selector the
 * API server indexes), cached for {@link #TTL}; a host-network pod's IP is its node's. Bounded: at most
 * {@link #MAX_CACHED} addresses and nodes are remembered, the least recently used go first.
 *
 * <p>Called from the agent loop only.
 */
public final class ClusterPeerDirectory implements PeerDirectory, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterPeerDirectory.class);
    static final Duration TTL = Duration.ofSeconds(60);
    static final int MAX_CACHED = 8192;
    private static final Duration SYNC_WAIT = Duration.ofSeconds(10);
    private static final String ZONE_LABEL = "topology.kubernetes.io/zone";
    private static final String CLUSTER_IP_INDEX = "clusterIP";

    private record Cached<T>(T value, Instant until) {
    }

    private final KubernetesClient client;
    private final Clock clock;
    private final SharedIndexInformer<Service> services;
    private final Map<String, Cached<PeerIdentity>> byAddress = lru();
    private final Map<String, Cached<String>> zones = lru();
    private long lookups;

    public ClusterPeerDirectory(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
        this.services = client.services().inAnyNamespace().runnableInformer(0);
        services.addIndexers(Map.of(CLUSTER_IP_INDEX, svc -> svc.getSpec() == null || svc.getSpec().getClusterIPs() == null
                ? List.of() : svc.getSpec().getClusterIPs().stream().filter(ip -> !"None".equals(ip)).toList()));
        try {
            // until the Services are listed, a flow to a ClusterIP would be named external (for up to an interval)
            services.start().toCompletableFuture().get(SYNC_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("Services not listed within {} s ({}); flows to ClusterIPs are external until they are",
                    SYNC_WAIT.toSeconds(), e.toString());
        }
    }

    @Override
    public PeerIdentity identify(InetAddress address) {
        String ip = address.getHostAddress();
        List<Service> svc = services.getIndexer().byIndex(CLUSTER_IP_INDEX, ip);
        if (!svc.isEmpty()) {
            Service s = svc.get(0);
            return new PeerIdentity(PeerIdentity.Kind.SERVICE, s.getMetadata().getNamespace(), s.getMetadata().getName(),
                    null, null, null, null);
        }
        Instant now = clock.instant();
        Cached<PeerIdentity> hit = byAddress.get(ip);
        if (hit != null && now.isBefore(hit.until())) {
            return hit.value();
        }
        PeerIdentity found = lookUp(ip);
        byAddress.put(ip, new Cached<>(found, now.plus(TTL)));
        return found;
    }

    @Override
    public String zoneOf(String node) {
        if (node == null) {
            return null;
        }
        Instant now = clock.instant();
        Cached<String> hit = zones.get(node);
        if (hit != null && now.isBefore(hit.until())) {
            return hit.value();
        }
        String zone = null;
        try {
            Node n = client.nodes().withName(node).get();
            zone = n == null || n.getMetadata().getLabels() == null ? null : n.getMetadata().getLabels().get(ZONE_LABEL);
        } catch (KubernetesClientException e) {
            LOG.debug("zone of node {}: {}", node, e.getMessage());
        }
        zones.put(node, new Cached<>(zone, now.plus(TTL)));
        return zone;
    }

    /** API lookups made so far (each a pod list by IP): what the cache saves. */
    public long lookups() {
        return lookups;
    }

    /** Addresses remembered now. */
    public int cached() {
        return byAddress.size();
    }

    private PeerIdentity lookUp(String ip) {
        lookups++;
        List<Pod> pods;
        try {
            pods = client.pods().inAnyNamespace().withField("status.podIP", ip).list().getItems();
        } catch (KubernetesClientException e) {
            LOG.debug("pods with IP {}: {}", ip, e.getMessage());
            return PeerIdentity.EXTERNAL;
        }
        Pod own = pods.stream().filter(p -> !Boolean.TRUE.equals(p.getSpec().getHostNetwork()))
                .filter(p -> !isFinished(p)).findFirst().orElse(null);
        if (own != null) {
            Workload w = Workload.of(own);
            String node = own.getSpec().getNodeName();
            return new PeerIdentity(PeerIdentity.Kind.POD, own.getMetadata().getNamespace(), own.getMetadata().getName(),
                    w.kind(), w.name(), node, zoneOf(node));
        }
        String node = pods.stream().map(p -> p.getSpec().getNodeName()).filter(Objects::nonNull).findFirst().orElse(null);
        if (node != null) {
            return new PeerIdentity(PeerIdentity.Kind.NODE, null, node, null, null, node, zoneOf(node));
        }
        return PeerIdentity.EXTERNAL;
    }

    private static boolean isFinished(Pod p) {
        String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    private static <V> Map<String, V> lru() {
        return new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > MAX_CACHED;
            }
        };
    }

    @Override
    public void close() {
        services.close();
    }
}
