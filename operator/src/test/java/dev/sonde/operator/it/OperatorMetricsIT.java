package dev.sonde.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sonde.operator.fleet.AgentFleetReconciler;
import dev.sonde.operator.monitor.NetworkMonitorReconciler;
import dev.sonde.operator.profile.ProbeProfileReconciler;
import dev.sonde.testsupport.ControlPlane;
import dev.sonde.testsupport.LocalControlPlane;
import dev.sonde.testsupport.MetricsScrapers;
import dev.sonde.testsupport.Promtool;
import dev.sonde.testsupport.TestNamespace;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator's /metrics as it ships, secure: over HTTPS, 401 without a valid token, 403 for a ServiceAccount
 * without the {@code sonde-metrics-reader} ClusterRole (the operator asks the real API server with its own
 * ServiceAccount's rights), and as Prometheus' own linter reads it for one with it: after every controller has reconciled (so the
 * Java Operator SDK's per-controller meters exist too), {@code promtool check metrics} prints nothing and exits 0,
 * and the reconcile counts and durations users alert on are still there, as valid counters and histograms.
 */
@LocalControlPlane
class OperatorMetricsIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private static OperatorProcess operator;
    private static String profile;
    private static List<HasMetadata> rbac = List.of();
    private static MetricsScrapers.Scraper reader;

    @BeforeAll
    static void startOperator(ControlPlane cluster, KubernetesClient client, TestNamespace ns) {
        cluster.installCrds();
        profile = ns.name() + "-lint";
        rbac = OperatorServiceAccount.install(cluster, client, ns.name());
        Path kubeconfig = OperatorServiceAccount.kubeconfig(cluster, ns.name(), Path.of("target", ns.name() + ".kubeconfig"));
        operator = new OperatorProcess(kubeconfig, ns.name(), Map.of(
                "sonde.operator.namespace", ns.name(),
                "sonde.operator.metrics.secure", "true",
                "sonde.operator.agent.image", "registry.invalid/sonde-agent:it",
                // other suites share the cluster: reconcile only this suite's namespace
                "quarkus.operator-sdk.controllers.networkmonitor.namespaces", ns.name()));
        operator.start();
        MetricsScrapers.installReaderRole(client, cluster.repoRoot());
        reader = MetricsScrapers.serviceAccount(client, ns.name(), "prometheus", true);
    }

    @AfterAll
    static void stopOperator(KubernetesClient client) {
        if (operator != null) {
            operator.close();
        }
        rbac.forEach(object -> client.resource(object).delete());
        if (reader != null) {
            reader.close();
        }
        if (profile != null) {
            client.resources(dev.sonde.api.v1alpha1.ProbeProfile.class).withName(profile).delete();
        }
    }

    @Test
    void metricsNeedATokenAllowedToGetMetrics(KubernetesClient client, TestNamespace ns) throws Exception {
        URI metrics = operator.metricsUri();
        assertThat(metrics.getScheme()).isEqualTo("https");
        HttpResponse<String> none = MetricsScrapers.get(metrics, null);
        assertThat(none.statusCode()).as("no token").isEqualTo(401);
        assertThat(none.body()).doesNotContain("sonde_");
        assertThat(MetricsScrapers.get(metrics, "not-a-token").statusCode()).as("a forged token").isEqualTo(401);
        try (MetricsScrapers.Scraper nobody = MetricsScrapers.serviceAccount(client, ns.name(), "nobody", false)) {
            HttpResponse<String> forbidden = MetricsScrapers.get(metrics, nobody.token());
            assertThat(forbidden.statusCode()).as("a ServiceAccount without sonde-metrics-reader").isEqualTo(403);
            assertThat(forbidden.body()).doesNotContain("sonde_");
        }
        HttpResponse<String> allowed = MetricsScrapers.get(metrics, reader.token());
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(allowed.body()).contains("# TYPE jvm_memory_used_bytes gauge");
        // Quarkus' plain HTTP port keeps the probes and closes its own /q/metrics
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> quarkus = http.send(HttpRequest.newBuilder(operator.httpUri("/q/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(quarkus.statusCode()).isEqualTo(404);
            assertThat(quarkus.body()).doesNotContain("jvm_").contains("port " + metrics.getPort());
            assertThat(http.send(HttpRequest.newBuilder(operator.httpUri("/q/health/live")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void metricsPassPromtoolAfterEveryControllerReconciled(ControlPlane cluster, TestNamespace ns) throws Exception {
        cluster.kubectlWithInput("""
                apiVersion: sonde.dev/v1alpha1
                kind: ProbeProfile
                metadata:
                  name: %s
                spec:
                  interval: 5s
                  probes:
                    - name: tcpConnections
                """.formatted(profile), "apply", "-f", "-").orThrow();
        cluster.kubectlWithInput("""
                apiVersion: sonde.dev/v1alpha1
                kind: NetworkMonitor
                metadata:
                  name: web
                  namespace: %s
                spec:
                  profile: %s
                  podSelector:
                    matchLabels: {app: web}
                """.formatted(ns.name(), profile), "apply", "-f", "-").orThrow();
        assertThat(cluster.kubectl("wait", "--for=condition=Ready", "--timeout=60s", "-n", ns.name(),
                "networkmonitor/web").orThrow()).contains("condition met");

        List<String> controllers = List.of(ProbeProfileReconciler.NAME, NetworkMonitorReconciler.NAME,
                AgentFleetReconciler.NAME);
        Path scrape = Path.of("target", ns.name() + "-metrics.prom");
        await("a reconcile of every controller on /metrics (last scrape: " + scrape + ")").atMost(WAIT)
                .untilAsserted(() -> {
                    String metrics = scrape(null).body();
                    Files.writeString(scrape, metrics);
                    for (String controller : controllers) {
                        String label = "controller=\"" + controller + "\"";
                        assertThat(OperatorProcess.sample(metrics, "sonde_operator_reconciles_total", label))
                                .as(controller).isPositive();
                        // the SDK's duration too: it was dropped for all but the first controller to register it
                        assertThat(OperatorProcess.sample(metrics,
                                "operator_sdk_controllers_execution_reconcile_seconds_count", label))
                                .as(controller).isPositive();
                    }
                });

        // as `curl -sk -H "Authorization: Bearer ..." .../metrics | promtool check metrics` sees it: no Accept header of its own
        HttpResponse<String> plain = scrape(null);
        assertThat(plain.headers().firstValue("Content-Type")).get().asString()
                .startsWith("text/plain; version=0.0.4");
        String metrics = plain.body();
        Files.writeString(scrape, metrics);
        Promtool.Check check = Promtool.checkMetrics(metrics);
        assertThat(check.clean()).as(check + "\n(the scrape: " + scrape + ")").isTrue();
        assertThat(scrape("application/openmetrics-text; version=1.0.0; charset=utf-8").headers().firstValue("Content-Type"))
                .as("OpenMetrics when asked for").get().asString().startsWith("application/openmetrics-text");

        // what users alert on is still there, as valid families: the SDK's durations a histogram (buckets add up
        // across replicas, client-side quantiles don't), Sonde's a summary without quantiles
        assertThat(metrics).contains(
                "# TYPE operator_sdk_controllers_execution_reconcile_seconds histogram",
                "# TYPE sonde_operator_reconcile_duration_seconds summary",
                "# TYPE sonde_operator_reconciles_total counter",
                "# TYPE sonde_monitors gauge");
        assertThat(OperatorProcess.sample(metrics, "operator_sdk_controllers_execution_reconcile_seconds_bucket",
                "controller=\"" + NetworkMonitorReconciler.NAME + "\"")).isPositive();
    }

    private static HttpResponse<String> scrape(String accept) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(operator.metricsUri())
                .header("Authorization", "Bearer " + reader.token());
        if (accept != null) {
            request.header("Accept", accept);
        }
        try (HttpClient http = MetricsScrapers.unverifiedTls()) {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("/metrics").isEqualTo(200);
            return response;
        }
    }
}
