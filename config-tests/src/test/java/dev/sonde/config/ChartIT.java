package dev.sonde.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sonde.testsupport.ControlPlane;
import dev.sonde.testsupport.Helm;
import dev.sonde.testsupport.KubectlResult;
import dev.sonde.testsupport.LocalControlPlane;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Helm chart charts/sonde with the pinned Helm (SONDE_HELM): {@code helm lint --strict} is clean, {@code helm
 * template} with the default values renders exactly the objects {@code kubectl kustomize config/default} does (but
 * the Namespace: {@code helm install -n sonde-system --create-namespace} makes it), values reach the operator, the
 * optional Prometheus Operator objects are those of config/prometheus/, and everything it renders passes
 * {@code kubectl apply --server-side --dry-run=server} on the real API server.
 */
@LocalControlPlane
class ChartIT {

    private static final String CHART = "charts/sonde";
    private static final String[] ALL_MONITORING = {"--set", "prometheus.podMonitor.enabled=true", "--set",
            "prometheus.serviceMonitor.enabled=true", "--set", "prometheus.prometheusRule.enabled=true"};

    @BeforeAll
    static void install(ControlPlane cluster) {
        cluster.installCrds();
        PrometheusOperatorObjectsIT.installThePrometheusOperatorCrds(cluster); // and sonde-system
    }

    @Test
    void helmLintIsClean() {
        Helm.Result lint = helm("lint", "--strict", CHART);
        assertThat(lint.exitCode()).as(lint.stdout() + lint.stderr()).isZero();
        assertThat(lint.stdout()).contains("1 chart(s) linted, 0 chart(s) failed");
        Helm.Result withMonitoring = helm(concat(new String[] {"lint", "--strict", CHART}, ALL_MONITORING));
        assertThat(withMonitoring.exitCode()).as(withMonitoring.stdout() + withMonitoring.stderr()).isZero();
    }

    @Test
    void theDefaultValuesRenderWhatConfigDefaultApplies(ControlPlane cluster) {
        Map<String, JsonNode> chart = objects(template());
        Map<String, JsonNode> kustomize = objects(cluster.kubectl("kustomize", "config/default").orThrow());
        assertThat(kustomize.remove("Namespace//sonde-system")).as("config/default's namespace").isNotNull();
        assertThat(chart.keySet()).as("the chart's objects").containsExactlyElementsOf(kustomize.keySet());
        chart.forEach((key, object) -> assertSame(key, object, kustomize.get(key)));
    }

    @Test
    void valuesBecomeTheOperatorsSettings() {
        JsonNode deployment = objects(template("--set", "operator.image.repository=localhost/sonde-operator",
                "--set", "operator.image.tag=0.1.0-local", "--set", "agent.image=localhost/sonde-agent:0.1.0-local",
                "--set", "agent.privileged=true", "--set", "agent.addSysResource=true",
                "--set", "operator.trustedNamespaces={sonde-system,platform}", "--set", "agent.metricsPort=9191",
                "--set", "agent.resources.memoryLimit=300Mi"))
                .get("Deployment/sonde-system/sonde-operator");
        JsonNode container = deployment.path("spec").path("template").path("spec").path("containers").get(0);
        assertThat(container.path("image").asText()).isEqualTo("localhost/sonde-operator:0.1.0-local");
        Map<String, String> env = new TreeMap<>();
        container.path("env").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));
        assertThat(env).containsEntry("SONDE_OPERATOR_AGENT_IMAGE", "localhost/sonde-agent:0.1.0-local")
                .containsEntry("SONDE_OPERATOR_AGENT_PRIVILEGED", "true")
                .containsEntry("SONDE_OPERATOR_AGENT_ADD_SYS_RESOURCE", "true")
                .containsEntry("SONDE_OPERATOR_TRUSTED_NAMESPACES", "sonde-system,platform")
                .containsEntry("SONDE_OPERATOR_AGENT_METRICS_PORT", "9191")
                .containsEntry("SONDE_OPERATOR_AGENT_MEMORY_LIMIT", "300Mi")
                .containsKey("SONDE_OPERATOR_NAMESPACE");
    }

    @Test
    void metricsAreSecureUnlessTurnedOffAndCertificatesAreMounted() {
        JsonNode secure = objects(template()).get("Deployment/sonde-system/sonde-operator");
        assertThat(env(secure)).as("secure by default: nothing to set").doesNotContainKeys(
                "SONDE_OPERATOR_METRICS_SECURE", "SONDE_OPERATOR_METRICS_TLS_CERT_FILE");
        assertThat(env(objects(template("--set", "metrics.secure=false")).get("Deployment/sonde-system/sonde-operator")))
                .containsEntry("SONDE_OPERATOR_METRICS_SECURE", "false");

        JsonNode mounted = objects(template("--set", "metrics.tlsSecret=operator-metrics-tls", "--set",
                "metrics.agentTlsSecret=agent-metrics-tls")).get("Deployment/sonde-system/sonde-operator");
        assertThat(env(mounted)).containsEntry("SONDE_OPERATOR_METRICS_TLS_CERT_FILE", "/etc/sonde/metrics-tls/tls.crt")
                .containsEntry("SONDE_OPERATOR_METRICS_TLS_KEY_FILE", "/etc/sonde/metrics-tls/tls.key")
                .containsEntry("SONDE_OPERATOR_AGENT_METRICS_TLS_SECRET", "agent-metrics-tls");
        JsonNode pod = mounted.path("spec").path("template").path("spec");
        assertThat(pod.path("volumes").findValuesAsText("secretName")).containsExactly("operator-metrics-tls");
        assertThat(pod.path("containers").get(0).path("volumeMounts").findValuesAsText("mountPath"))
                .contains("/etc/sonde/metrics-tls");

        Helm.Result contradiction = helm("template", "sonde", CHART, "--set", "metrics.secure=false", "--set",
                "metrics.tlsSecret=operator-metrics-tls");
        assertThat(contradiction.exitCode()).isNotZero();
        assertThat(contradiction.stderr()).contains("do nothing with metrics.secure=false");
    }

    private static Map<String, String> env(JsonNode deployment) {
        Map<String, String> env = new TreeMap<>();
        deployment.path("spec").path("template").path("spec").path("containers").get(0).path("env")
                .forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));
        return env;
    }

    @Test
    void theMonitoringObjectsAreThoseOfConfigPrometheus() {
        Map<String, JsonNode> off = objects(template());
        assertThat(off.keySet()).noneMatch(k -> k.contains("Monitor/") || k.startsWith("PrometheusRule/"));
        Map<String, JsonNode> on = objects(template(concat(ALL_MONITORING, new String[] {"--set",
                "prometheus.labels.release=kube-prometheus-stack"})));
        for (String file : List.of("podmonitor-agent.yaml", "servicemonitor-operator.yaml", "prometheusrule.yaml",
                "operator-metrics-service.yaml")) {
            ObjectNode expected = RepoFiles.documents(RepoFiles.path("config/prometheus/" + file)).getFirst();
            ((ObjectNode) expected.path("metadata").path("labels")).put("release", "kube-prometheus-stack");
            assertSame(file, on.get(key(expected)), expected);
        }
    }

    /** What `helm install` would create, as the API server judges it (schema, CEL, admission). */
    @Test
    void everythingItRendersPassesServerSideDryRun(ControlPlane cluster) {
        String rendered = template(ALL_MONITORING);
        KubectlResult dryRun = cluster.kubectlWithInput(rendered, "apply", "--server-side", "--force-conflicts",
                "--dry-run=server", "-f", "-");
        assertThat(dryRun.succeeded()).as(dryRun.stdout() + dryRun.stderr()).isTrue();
        assertThat(dryRun.stdout().lines()).as(dryRun.stdout()).hasSize(objects(rendered).size());
    }

    /** Equal both ways, numbers by value (kustomize writes 1.0 where the file and Helm have 1). */
    private static void assertSame(String what, JsonNode actual, JsonNode expected) {
        assertThat(actual).as(what).isNotNull();
        List<String> differences = new ArrayList<>(JsonSubset.differences(expected, actual));
        JsonSubset.differences(actual, expected).forEach(d -> differences.add("extra in the chart: " + d));
        assertThat(differences).as(what).isEmpty();
    }

    private static String template(String... extra) {
        return helm(concat(new String[] {"template", "sonde", CHART, "--namespace", "sonde-system", "--include-crds"},
                extra)).orThrow();
    }

    private static Helm.Result helm(String... args) {
        return Helm.run(RepoFiles.root(), Map.of(), 60, args);
    }

    /** kind/namespace/name -> object, in a stable order. */
    private static Map<String, JsonNode> objects(String yaml) {
        Map<String, JsonNode> out = new TreeMap<>();
        try (var parser = RepoFiles.YAML.getFactory().createParser(yaml)) {
            var it = RepoFiles.YAML.readValues(parser, JsonNode.class);
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc instanceof ObjectNode object && !object.isEmpty()) {
                    assertThat(out.put(key(object), object)).as("one " + key(object)).isNull();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static String key(JsonNode object) {
        return object.path("kind").asText() + "/" + object.path("metadata").path("namespace").asText() + "/"
                + object.path("metadata").path("name").asText();
    }

    private static String[] concat(String[] a, String[] b) {
        List<String> all = new ArrayList<>(List.of(a));
        all.addAll(List.of(b));
        return all.toArray(String[]::new);
    }
}
