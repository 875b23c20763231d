package dev.sonde.operator.metrics;

import dev.sonde.operator.OperatorConfig;
import dev.sonde.securemetrics.KubernetesAccessReviews;
import dev.sonde.securemetrics.MetricsListenerOptions;
import dev.sonde.securemetrics.MetricsServer;
import dev.sonde.securemetrics.ScrapeAuthorizer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The operator's {@code /metrics}, on a listener of its own ({@code sonde.operator.metrics.port}, 8443), the same
 * as the agents': HTTPS and scrapers authorized with TokenReview and SubjectAccessReview unless
 * {@code sonde.operator.metrics.secure=false}. Quarkus' HTTP port keeps only the health probes: its
 * {@code /q/metrics} answers 404 with where the metrics are, so they never leak over plain HTTP.
 *
 * <p>The exposition is in the Prometheus text format unless the client asks for OpenMetrics only: promtool (and
 * {@code curl | promtool check metrics}) reads the text format; Prometheus lists both and gets the text format.
 */
@ApplicationScoped
public class OperatorMetricsListener {

    static final String PATH = "/metrics";
    static final String OPENMETRICS = "application/openmetrics-text";

    private final OperatorConfig config;
    private final KubernetesClient client;
    private final PrometheusMeterRegistry registry;
    private MetricsServer server;

    OperatorMetricsListener(OperatorConfig config, KubernetesClient client, PrometheusMeterRegistry registry) {
        this.config = config;
        this.client = client;
        this.registry = registry;
    }

    void start(@Observes StartupEvent event) {
        OperatorConfig.Metrics metrics = config.metrics();
        MetricsListenerOptions options = new MetricsListenerOptions(metrics.secure(), metrics.tlsCertFile(),
                metrics.tlsKeyFile());
        try {
            server = MetricsServer.start(new MetricsServer.Spec(new InetSocketAddress(metrics.port()), options,
                    "sonde-operator." + config.namespace() + ".svc", PATH,
                    options.secure() ? new ScrapeAuthorizer(new KubernetesAccessReviews(client)) : null,
                    this::render, null));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on port " + metrics.port() + " for /metrics", e);
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (server != null) {
            server.close();
        }
    }

    /** Quarkus' own Prometheus route on the plain HTTP port: closed, with a pointer to the real one. */
    void closeQuarkusRoute(@Observes Router router,
            @ConfigProperty(name = "quarkus.micrometer.export.prometheus.path") String path) {
        int port = config.metrics().port();
        router.route(path).order(Integer.MIN_VALUE).handler(rc -> rc.response().setStatusCode(404)
                .putHeader("Content-Type", "text/plain; charset=utf-8")
                .end("the operator's metrics are on port " + port + ", path " + PATH
                        + (config.metrics().secure() ? ", over HTTPS with a bearer token (docs/metrics.md)\n" : "\n")));
    }

    MetricsServer.Page render(String accept) {
        String contentType = accept != null && accept.contains(OPENMETRICS)
                ? TextFormat.CONTENT_TYPE_OPENMETRICS_100 : TextFormat.CONTENT_TYPE_004;
        return new MetricsServer.Page(contentType, registry.scrape(contentType));
    }
}
