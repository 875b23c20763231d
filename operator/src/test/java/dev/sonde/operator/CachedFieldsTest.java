package dev.sonde.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonde.api.v1alpha1.NetworkMonitor;
import dev.sonde.api.v1alpha1.NetworkMonitorSpec;
import dev.sonde.api.v1alpha1.NetworkMonitorStatus;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.javaoperatorsdk.operator.processing.event.source.informer.TransformingItemStore;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CachedFieldsTest {

    private static Pod fullPod(String phase) {
        return new PodBuilder()
                .withNewMetadata().withName("web-1").withNamespace("shop").withUid("u-1").withResourceVersion("42")
                .withLabels(Map.of("app", "web")).withDeletionTimestamp("2026-12-03T10:00:00Z")
                .withAnnotations(Map.of("big", "x".repeat(4096)))
                .withManagedFields(new ManagedFieldsEntryBuilder().withManager("kubelet").build())
                .endMetadata()
                .withNewSpec().withNodeName("node-a").addNewContainer().withName("web").withImage("web:1")
                .endContainer().endSpec()
                .withNewStatus().withPhase(phase).withPodIP("10.0.0.7").endStatus()
                .build();
    }

    @Test
    void aCachedPodKeepsWhatSelectionReadsAndNothingElse() {
        Pod kept = CachedFields.pod(fullPod("Running"));

        assertThat(kept.getMetadata().getName()).isEqualTo("web-1");
        assertThat(kept.getMetadata().getNamespace()).isEqualTo("shop");
        assertThat(kept.getMetadata().getUid()).isEqualTo("u-1");
        assertThat(kept.getMetadata().getResourceVersion()).isEqualTo("42");
        assertThat(kept.getMetadata().getLabels()).containsExactly(Map.entry("app", "web"));
        assertThat(kept.getMetadata().getDeletionTimestamp()).isEqualTo("2026-12-03T10:00:00Z");
        assertThat(kept.getSpec().getNodeName()).isEqualTo("node-a");
        assertThat(kept.getStatus().getPhase()).isEqualTo("Running");

        assertThat(kept.getMetadata().getAnnotations()).isEmpty();
        assertThat(kept.getMetadata().getManagedFields()).isEmpty();
        assertThat(kept.getSpec().getContainers()).isEmpty();
        assertThat(kept.getStatus().getPodIP()).isNull();
    }

    @Test
    void aPodWithoutSpecOrStatusStaysWithout() {
        Pod kept = CachedFields.pod(new PodBuilder().withNewMetadata().withName("p").withNamespace("n").endMetadata()
                .build());

        assertThat(kept.getSpec()).isNull();
        assertThat(kept.getStatus()).isNull();
    }

    @Test
    void aCachedNodeKeepsItsNameAndLabels() {
        Node full = new NodeBuilder()
                .withNewMetadata().withName("node-a").withResourceVersion("7")
                .withLabels(Map.of("topology.kubernetes.io/zone", "z1")).endMetadata()
                .withNewStatus().addNewImage().withNames("registry/app:1").withSizeBytes(1L).endImage().endStatus()
                .build();

        Node kept = CachedFields.node(full);

        assertThat(kept.getMetadata().getName()).isEqualTo("node-a");
        assertThat(kept.getMetadata().getResourceVersion()).isEqualTo("7");
        assertThat(kept.getMetadata().getLabels()).containsExactly(Map.entry("topology.kubernetes.io/zone", "z1"));
        assertThat(kept.getStatus()).isNull();
    }

    @Test
    void thePodStoreHoldsAndReturnsTheKeptPart() {
        TransformingItemStore<Pod> store = CachedFields.pods();
        Pod running = fullPod("Running");
        String key = store.getKey(running);

        assertThat(key).isEqualTo("shop/web-1");
        assertThat(store.put(key, running)).isNull();
        Pod old = store.put(key, fullPod("Succeeded"));

        assertThat(old.getStatus().getPhase()).isEqualTo("Running");
        assertThat(old.getSpec().getContainers()).isEmpty();
        assertThat(store.get(key).getStatus().getPhase()).isEqualTo("Succeeded");
        assertThat(store.values()).singleElement()
                .satisfies(p -> assertThat(p.getMetadata().getAnnotations()).isEmpty());
        assertThat(store.remove(key)).isNotNull();
        assertThat(store.size()).isZero();
    }

    private static NetworkMonitor monitorWithStatus() {
        NetworkMonitor monitor = new NetworkMonitor();
        monitor.getMetadata().setName("nm");
        monitor.getMetadata().setNamespace("shop");
        monitor.getMetadata().setResourceVersion("9");
        monitor.getMetadata().setLabels(Map.of("team", "a"));
        monitor.getMetadata().setManagedFields(List.of(new ManagedFieldsEntryBuilder().withManager("sonde").build()));
        NetworkMonitorSpec spec = new NetworkMonitorSpec();
        spec.setProfile("standard");
        monitor.setSpec(spec);
        monitor.setStatus(new NetworkMonitorStatus());
        return monitor;
    }

    @Test
    void withoutManagedFieldsKeepsEverythingElse() {
        TransformingItemStore<NetworkMonitor> store = CachedFields.withoutManagedFields();
        store.put("shop/nm", monitorWithStatus());

        NetworkMonitor kept = store.get("shop/nm");
        assertThat(kept.getMetadata().getManagedFields()).isNullOrEmpty();
        assertThat(kept.getMetadata().getLabels()).containsEntry("team", "a");
        assertThat(kept.getMetadata().getResourceVersion()).isEqualTo("9");
        assertThat(kept.getSpec().getProfile()).isEqualTo("standard");
        assertThat(kept.getStatus()).isNotNull();
    }

    @Test
    void specOnlyDropsTheStatusToo() {
        TransformingItemStore<NetworkMonitor> store = CachedFields.specOnly();
        store.put("shop/nm", monitorWithStatus());

        NetworkMonitor kept = store.get("shop/nm");
        assertThat(kept.getMetadata().getManagedFields()).isNullOrEmpty();
        assertThat(kept.getSpec().getProfile()).isEqualTo("standard");
        assertThat(kept.getStatus()).isNull();
    }
}
