package dev.sonde.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.javaoperatorsdk.operator.processing.event.source.informer.TransformingItemStore;

/**
 * What the operator's informer caches keep of each object: only what its reconcilers read. The operator watches
 * every pod and node of the cluster and every NetworkMonitor three times, and their full form (managed fields,
 * container specs, image lists, the status of the operator's own server-side applies) was most of its heap.
 * Everything read through such a cache, and the old object an update filter compares with, is the kept part:
 * reading any other field finds it empty, so add it here first.
 *
 * <p>A store belongs to one informer: only for informers that watch all namespaces or exactly one (an informer per
 * namespace would share it, and one namespace's relist would drop the others' objects). Not for the dependents'
 * informers (ConfigMap, DaemonSet), whose server-side-apply matching reads managed fields.
 */
public final class CachedFields {

    /**
     * Objects per page of an informer's (re)list of the kinds that grow with the cluster (pods, nodes, AgentReports).
     * A list response is read whole before the store prunes its objects: unpaged, the list of every pod is the
     * operator's heap peak at startup (docs/benchmarks.md, "Operator at scale").
     */
    public static final long LIST_PAGE = 250;

    private CachedFields() {
    }

    /** Pods as the monitor reconciler selects them: identity, labels, deletion mark, node and phase. */
    public static TransformingItemStore<Pod> pods() {
        return new TransformingItemStore<>(CachedFields::pod);
    }

    /** Nodes as nodeSelector reads them: identity and labels. */
    public static TransformingItemStore<Node> nodes() {
        return new TransformingItemStore<>(CachedFields::node);
    }

    /** Any object, less {@code metadata.managedFields}, which no reconciler reads. */
    public static <R extends HasMetadata> TransformingItemStore<R> withoutManagedFields() {
        return new TransformingItemStore<>(CachedFields::withoutManagedFields);
    }

    /** Custom resources for a reconciler that reads only their metadata and spec (the fleet, profile counts). */
    public static <R extends CustomResource<?, ?>> TransformingItemStore<R> specOnly() {
        return new TransformingItemStore<>(item -> {
            withoutManagedFields(item);
            item.setStatus(null);
            return item;
        });
    }

    static Pod pod(Pod pod) {
        PodBuilder kept = new PodBuilder().withMetadata(identity(pod.getMetadata()));
        if (pod.getSpec() != null) {
            kept.withNewSpec().withNodeName(pod.getSpec().getNodeName()).endSpec();
        }
        if (pod.getStatus() != null) {
            kept.withNewStatus().withPhase(pod.getStatus().getPhase()).endStatus();
        }
        return kept.build();
    }

    static Node node(Node node) {
        return new NodeBuilder().withMetadata(identity(node.getMetadata())).build();
    }

    // each watch event is a freshly decoded object that only the cache keeps, so pruning it in place costs no copy
    private static <R extends HasMetadata> R withoutManagedFields(R item) {
        item.getMetadata().setManagedFields(null);
        return item;
    }

    private static ObjectMeta identity(ObjectMeta meta) {
        return new ObjectMetaBuilder()
                .withName(meta.getName())
                .withNamespace(meta.getNamespace())
                .withUid(meta.getUid())
                .withResourceVersion(meta.getResourceVersion())
                .withLabels(meta.getLabels())
                .withDeletionTimestamp(meta.getDeletionTimestamp())
                .build();
    }
}
