package dev.sonde.operator.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonde.api.v1alpha1.ExportSpec;
import dev.sonde.api.v1alpha1.NetworkMonitor;
import dev.sonde.api.v1alpha1.OtlpExportSpec;
import dev.sonde.api.v1alpha1.OtlpProtocol;
import dev.sonde.api.v1alpha1.SecretReference;
import dev.sonde.api.agent.OtlpHeaders;
import dev.sonde.operator.Fixtures;
import dev.sonde.operator.it.OperatorServiceAccount;
import dev.sonde.operator.monitor.HeadersSecret;
import dev.sonde.operator.monitor.Reasons;
import dev.sonde.testsupport.ControlPlane;
import dev.sonde.testsupport.LocalControlPlane;
import dev.sonde.testsupport.TestNamespace;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The agents' copy of the OTLP headers against the real API server, written as the operator's ServiceAccount with
 * exactly the RBAC of config/rbac (moved into the test namespace): two tenants with a Secret of the same name each
 * get their own, a monitor can't reach another namespace's Secret, and a changed Secret is copied again.
 */
@LocalControlPlane
class OtlpHeadersCopyIT {

    @Test
    void eachMonitorGetsTheSecretOfItsOwnNamespaceAndChangesAreCopied(ControlPlane cluster, KubernetesClient admin,
            TestNamespace ns) {
        String teamA = ns.name() + "-a";
        String teamB = ns.name() + "-b";
        List<HasMetadata> clusterScoped = OperatorServiceAccount.install(cluster, admin, ns.name());
        try (KubernetesClient operator = cluster.impersonating(ns.name(), "sonde-operator")) {
            for (String tenant : List.of(teamA, teamB)) {
                admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(tenant)
                        .addToLabels("sonde.dev/test-namespace", "true").endMetadata().build()).serverSideApply();
                writeSecret(admin, tenant, "otlp-headers", Map.of("Authorization", "Bearer token-of-" + tenant));
            }
            writeSecret(admin, teamA, "only-in-a", Map.of("Authorization", "Bearer only-a"));
            Namespace operatorNamespace = admin.namespaces().withName(ns.name()).get();
            NetworkMonitor a = withHeaders(Fixtures.monitor(teamA, "web", "standard"), "otlp-headers");
            NetworkMonitor b = withHeaders(Fixtures.monitor(teamB, "web", "standard"), "otlp-headers");
            NetworkMonitor reachingOut = withHeaders(Fixtures.monitor(teamB, "api", "standard"), "only-in-a");

            assertThat(OtlpHeadersCopy.sync(operator, operatorNamespace, List.of(a, b, reachingOut))).isTrue();
            assertThat(copy(admin, ns)).containsOnly(
                    Map.entry(uid(a), "{\"Authorization\":\"Bearer token-of-" + teamA + "\"}"),
                    Map.entry(uid(b), "{\"Authorization\":\"Bearer token-of-" + teamB + "\"}"));
            assertThat(HeadersSecret.read(operator, reachingOut)).get()
                    .isInstanceOfSatisfying(HeadersSecret.Problem.class,
                            p -> assertThat(p.reason()).isEqualTo(Reasons.HEADERS_SECRET_NOT_FOUND));

            // Rotation: re-read with get on the next sync.
            writeSecret(admin, teamA, "otlp-headers", Map.of("Authorization", "Bearer rotated"));
            OtlpHeadersCopy.sync(operator, operatorNamespace, List.of(a, b));
            assertThat(copy(admin, ns)).containsEntry(uid(a), "{\"Authorization\":\"Bearer rotated\"}");

            // A bad edit keeps the last valid copy; a deleted Secret removes it.
            writeSecret(admin, teamA, "otlp-headers", Map.of("Authorization", "Bearer written-with-echo\n"));
            OtlpHeadersCopy.sync(operator, operatorNamespace, List.of(a, b));
            assertThat(copy(admin, ns)).containsEntry(uid(a), "{\"Authorization\":\"Bearer rotated\"}");
            assertThat(HeadersSecret.read(operator, a)).get().isInstanceOfSatisfying(HeadersSecret.Problem.class,
                    p -> assertThat(p.reason()).isEqualTo(Reasons.INVALID_HEADERS_SECRET));
            admin.secrets().inNamespace(teamB).withName("otlp-headers").delete();
            OtlpHeadersCopy.sync(operator, operatorNamespace, List.of(a, b));
            assertThat(copy(admin, ns)).containsOnlyKeys(uid(a));
        } finally {
            clusterScoped.forEach(o -> admin.resource(o).delete());
            admin.namespaces().withName(teamA).delete();
            admin.namespaces().withName(teamB).delete();
        }
    }

    private static Map<String, String> copy(KubernetesClient admin, TestNamespace ns) {
        return OtlpHeadersCopy.decode(admin.secrets().inNamespace(ns.name()).withName(OtlpHeaders.SECRET_NAME).get());
    }

    private static void writeSecret(KubernetesClient admin, String namespace, String name, Map<String, String> data) {
        admin.secrets().inNamespace(namespace).resource(new SecretBuilder().withNewMetadata().withName(name)
                .endMetadata().withStringData(data).build()).createOr(op -> op.update());
    }

    private static String uid(NetworkMonitor monitor) {
        return monitor.getMetadata().getUid();
    }

    private static NetworkMonitor withHeaders(NetworkMonitor monitor, String secret) {
        OtlpExportSpec otlp = new OtlpExportSpec("http://collector:4317", OtlpProtocol.GRPC);
        otlp.setHeadersSecretRef(new SecretReference(secret));
        monitor.getSpec().setExport(new ExportSpec(otlp, null));
        return monitor;
    }
}
