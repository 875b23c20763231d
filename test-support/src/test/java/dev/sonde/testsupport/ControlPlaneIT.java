package dev.sonde.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/** The local control plane is real: nodes, controllers, scheduler, kwok and RBAC all work together. */
@LocalControlPlane
class ControlPlaneIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void kubectlAndFabric8BothSeeAtLeastThreeReadyNodes(ControlPlane cluster, KubernetesClient client) throws Exception {
        JsonNode nodes = JSON.readTree(cluster.kubectl("get", "nodes", "-o", "json").orThrow());
        Set<String> readyByKubectl = StreamSupport.stream(nodes.get("items").spliterator(), false)
                .filter(node -> StreamSupport.stream(node.at("/status/conditions").spliterator(), false)
                        .anyMatch(c -> "Ready".equals(c.get("type").asText()) && "True".equals(c.get("status").asText())))
                .map(node -> node.at("/metadata/name").asText())
                .collect(Collectors.toSet());

        Set<String> readyByFabric8 = client.nodes().list().getItems().stream()
                .filter(ControlPlaneIT::isReady)
                .map(node -> node.getMetadata().getName())
                .collect(Collectors.toSet());

        assertThat(readyByKubectl).hasSizeGreaterThanOrEqualTo(3).isEqualTo(readyByFabric8);
        assertThat(readyByKubectl).as("the host node for the local agent").contains(cluster.hostNode());
        assertThat(client.nodes().withName(cluster.hostNode()).get().getMetadata().getAnnotations())
                .as("the host node is not managed by kwok")
                .doesNotContainKey("kwok.x-k8s.io/node");
    }

    @Test
    void daemonSetPodsReachRunningOnEveryFakeNode(ControlPlane cluster, KubernetesClient client, TestNamespace ns) {
        List<String> fakeNodes = client.nodes().withLabel("type", "kwok").list().getItems().stream()
                .map(node -> node.getMetadata().getName()).sorted().toList();
        assertThat(fakeNodes).hasSizeGreaterThanOrEqualTo(3);

        DaemonSet daemonSet = new DaemonSetBuilder()
                .withNewMetadata().withName("probe").withNamespace(ns.name()).endMetadata()
                .withNewSpec()
                .withNewSelector().addToMatchLabels("app", "probe").endSelector()
                .withNewTemplate()
                .withNewMetadata().addToLabels("app", "probe").endMetadata()
                .withNewSpec()
                .withNodeSelector(Map.of("type", "kwok"))
                .addNewContainer().withName("probe").withImage("registry.invalid/sonde/probe:test").endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
        client.apps().daemonSets().inNamespace(ns.name()).resource(daemonSet).create();

        // Controller-manager creates the pods, the scheduler binds them, kwok marks them Running.
        awaitAllRunning(client, ns, fakeNodes.size(), Duration.ofMinutes(2));

        List<Pod> pods = client.pods().inNamespace(ns.name()).withLabel("app", "probe").list().getItems();
        assertThat(pods).extracting(pod -> pod.getSpec().getNodeName()).containsExactlyInAnyOrderElementsOf(fakeNodes);
        assertThat(pods).allSatisfy(pod -> assertThat(pod.getStatus().getPhase()).isEqualTo("Running"));

        String byKubectl = cluster.kubectl("get", "pods", "-n", ns.name(), "-l", "app=probe",
                "-o", "jsonpath={range .items[*]}{.status.phase}{\"\\n\"}{end}").orThrow();
        assertThat(byKubectl.lines().toList()).hasSize(fakeNodes.size()).containsOnly("Running");
    }

    @Test
    void serviceAccountWithoutRoleIsDeniedAndGrantedOnceBound(ControlPlane cluster, KubernetesClient client, TestNamespace ns) {
        client.serviceAccounts().inNamespace(ns.name()).resource(new ServiceAccountBuilder()
                .withNewMetadata().withName("nobody").endMetadata().build()).create();

        try (KubernetesClient nobody = cluster.impersonating(ns.name(), "nobody")) {
            assertThatThrownBy(() -> nobody.configMaps().inNamespace(ns.name()).list())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403))
                    .hasMessageContaining(ControlPlane.serviceAccountUser(ns.name(), "nobody"));
            assertThat(cluster.kubectl("auth", "can-i", "list", "configmaps", "-n", ns.name(),
                    "--as", ControlPlane.serviceAccountUser(ns.name(), "nobody")).stdout().strip()).isEqualTo("no");

            // The denial comes from RBAC, not from a broken impersonation: a Role makes the same call succeed.
            client.rbac().roles().inNamespace(ns.name()).resource(new RoleBuilder()
                    .withNewMetadata().withName("read-configmaps").endMetadata()
                    .addNewRule().withApiGroups("").withResources("configmaps").withVerbs("list").endRule()
                    .build()).create();
            client.rbac().roleBindings().inNamespace(ns.name()).resource(new RoleBindingBuilder()
                    .withNewMetadata().withName("nobody-reads-configmaps").endMetadata()
                    .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("Role").withName("read-configmaps").endRoleRef()
                    .addNewSubject().withKind("ServiceAccount").withName("nobody").withNamespace(ns.name()).endSubject()
                    .build()).create();
            awaitAllowed(() -> nobody.configMaps().inNamespace(ns.name()).list(), Duration.ofSeconds(30));
            assertThatThrownBy(() -> nobody.secrets().inNamespace(ns.name()).list())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
        }
    }

    private static boolean isReady(Node node) {
        List<NodeCondition> conditions = node.getStatus() == null ? List.of() : node.getStatus().getConditions();
        return conditions.stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static void awaitAllRunning(KubernetesClient client, TestNamespace ns, int expected, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<Pod> pods = client.pods().inNamespace(ns.name()).withLabel("app", "probe").list().getItems();
            long running = pods.stream().filter(p -> "Running".equals(p.getStatus().getPhase())).count();
            if (pods.size() == expected && running == expected) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("expected " + expected + " Running pods, got " + running + " of " + pods.size()
                        + " within " + timeout);
            }
            sleep(Duration.ofMillis(500));
        }
    }

    // RBAC changes reach the authorizer through its informer, so allow a moment before they apply.
    private static void awaitAllowed(Runnable call, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                call.run();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 403 || System.nanoTime() > deadline) {
                    throw e;
                }
                sleep(Duration.ofMillis(200));
            }
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
