package dev.sonde.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sonde.testsupport.ControlPlane;
import dev.sonde.testsupport.KubectlResult;
import dev.sonde.testsupport.LocalControlPlane;
import dev.sonde.testsupport.TestNamespace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * config/prometheus/'s PodMonitor, ServiceMonitor, PrometheusRule and Service applied to the real API server with
 * the Prometheus Operator's own CRDs installed (pinned in hack/tools/prometheus-operator; hack/test.sh passes their
 * directory in SONDE_PROMETHEUS_OPERATOR_CRDS), so a field the schema doesn't have, or a value it rejects, fails
 * here as it would for a user. Strict field validation (kubectl's default) turns an unknown field into an error.
 */
@LocalControlPlane
class PrometheusOperatorObjectsIT {

    private static final String CRDS_ENV = "SONDE_PROMETHEUS_OPERATOR_CRDS";
    private static final List<String> KINDS = List.of("podmonitors", "servicemonitors", "prometheusrules");

    @BeforeAll
    static void installThePrometheusOperatorCrds(ControlPlane cluster) {
        String dir = System.getenv(CRDS_ENV);
        if (dir == null || dir.isBlank() || !Files.isDirectory(Path.of(dir))) {
            throw new IllegalStateException(CRDS_ENV + "=" + dir + " is not a directory: it names the Prometheus "
                    + "Operator's CRDs, which hack/test.sh downloads (ensure_prometheus_operator_crds in hack/lib/common.sh)");
        }
        for (String kind : KINDS) {
            cluster.kubectl("apply", "--server-side", "--force-conflicts", "-f",
                    Path.of(dir, "monitoring.coreos.com_" + kind + ".yaml").toString()).orThrow();
        }
        cluster.kubectl("wait", "--for=condition=Established", "--timeout=60s",
                "crd/podmonitors.monitoring.coreos.com", "crd/servicemonitors.monitoring.coreos.com",
                "crd/prometheusrules.monitoring.coreos.com").orThrow();
        Sonde.installRbac(cluster); // the sonde-system namespace the objects name
    }

    /** As a user applies them: kubectl apply --server-side -k config/prometheus, here without persisting. */
    @Test
    void theKustomizationPassesServerSideDryRun(ControlPlane cluster) {
        KubectlResult result = cluster.kubectl("apply", "--server-side", "--dry-run=server", "-k", "config/prometheus");
        assertThat(result.succeeded()).as(result.stdout() + result.stderr()).isTrue();
        assertThat(result.stdout()).contains("podmonitor.monitoring.coreos.com/sonde-agent serverside-applied",
                "servicemonitor.monitoring.coreos.com/sonde-operator serverside-applied",
                "prometheusrule.monitoring.coreos.com/sonde serverside-applied",
                "service/sonde-operator-metrics serverside-applied");
    }

    /** Stored and read back: nothing of the spec was pruned or changed by the schema. */
    @Test
    void eachObjectIsStoredAsWritten(ControlPlane cluster, TestNamespace ns) {
        for (String file : List.of("podmonitor-agent.yaml", "servicemonitor-operator.yaml", "prometheusrule.yaml",
                "operator-metrics-service.yaml")) {
            ObjectNode manifest = RepoFiles.documents(RepoFiles.path("config/prometheus/" + file)).getFirst();
            ((ObjectNode) manifest.get("metadata")).put("namespace", ns.name());
            cluster.kubectlWithInput(RepoFiles.toJson(manifest), "apply", "--server-side", "-f", "-").orThrow();
            String kind = manifest.path("kind").asText().toLowerCase();
            JsonNode stored = RepoFiles.parseJson(cluster.kubectl("get", kind + (kind.equals("service") ? ""
                    : ".monitoring.coreos.com"), manifest.path("metadata").path("name").asText(), "-n", ns.name(), "-o",
                    "json").orThrow());
            assertThat(JsonSubset.differences(manifest.get("spec"), stored.get("spec"))).as("%s read back", file).isEmpty();
        }
    }

    /** The check can fail: a misspelt field and a malformed interval are refused with the schema's words. */
    @Test
    void aSchemaMistakeIsRefused(ControlPlane cluster, TestNamespace ns) {
        ObjectNode typo = RepoFiles.documents(RepoFiles.path("config/prometheus/podmonitor-agent.yaml")).getFirst();
        ((ObjectNode) typo.get("metadata")).put("namespace", ns.name());
        ObjectNode spec = (ObjectNode) typo.get("spec");
        spec.set("podMetricEndpoints", spec.remove("podMetricsEndpoints"));
        KubectlResult unknown = cluster.kubectlWithInput(RepoFiles.toJson(typo), "apply", "--server-side", "-f", "-");
        assertThat(unknown.succeeded()).isFalse();
        assertThat(unknown.stderr()).contains("podMetricEndpoints");

        ObjectNode interval = RepoFiles.documents(RepoFiles.path("config/prometheus/podmonitor-agent.yaml")).getFirst();
        ((ObjectNode) interval.get("metadata")).put("namespace", ns.name());
        ((ObjectNode) interval.get("spec").get("podMetricsEndpoints").get(0)).put("interval", "15 seconds");
        KubectlResult invalid = cluster.kubectlWithInput(RepoFiles.toJson(interval), "apply", "--server-side", "-f", "-");
        assertThat(invalid.succeeded()).isFalse();
        assertThat(invalid.stderr()).contains("interval");
    }
}
