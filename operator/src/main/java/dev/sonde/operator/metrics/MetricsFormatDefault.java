package dev.sonde.operator.metrics;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * {@code /q/metrics} answers in the Prometheus text format unless the client asks for OpenMetrics only. Quarkus
 * answers OpenMetrics to a request without {@code text/plain} in its Accept header, such as {@code curl}'s
 * {@code *}{@code /*}; {@code curl ... | promtool check metrics} then misreads every counter (promtool reads the
 * text format). Prometheus itself lists {@code text/plain} and gets the text format either way.
 */
@ApplicationScoped
public class MetricsFormatDefault {

    static final String OPENMETRICS = "application/openmetrics-text";
    static final String TEXT = "text/plain; version=0.0.4";

    void route(@Observes Router router,
            @ConfigProperty(name = "quarkus.micrometer.export.prometheus.path") String path) {
        router.route(path).order(Integer.MIN_VALUE).handler(rc -> {
            String accept = rc.request().getHeader(HttpHeaders.ACCEPT);
            if (accept == null || !accept.contains(OPENMETRICS)) {
                rc.request().headers().set(HttpHeaders.ACCEPT, TEXT);
            }
            rc.next();
        });
    }
}
