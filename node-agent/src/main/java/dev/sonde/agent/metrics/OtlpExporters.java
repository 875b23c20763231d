package dev.sonde.agent.metrics;

import dev.sonde.api.v1alpha1.OtlpProtocol;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.RetryPolicy;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One OpenTelemetry SDK exporter per OTLP target, with the SDK's retry policy. Exports are asynchronous and at most
 * one is in flight per target: an export that finds the previous one still running is dropped, and so are the
 * points of a failed export. Points are cumulative, so the next export that gets through carries every count; a
 * drop loses resolution, not data. Counts what was accepted and what was dropped. An interval's points go in requests
 * of at most {@link #MAX_POINTS_PER_REQUEST} points: with flows a node can have tens of thousands, and one request
 * of all of them exceeds what receivers take (the Collector's gRPC limit is 4 MiB).
 */
public final class OtlpExporters implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OtlpExporters.class);
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** About 1.5 MB of OTLP protobuf with Sonde's attributes (~300 B a point with its share of the resource). */
    static final int MAX_POINTS_PER_REQUEST = 5000;

    /**
     * Where to push: a receiver URL, its transport, and the request headers (from the operator's copy of a
     * monitor's headersSecretRef). Targets with other headers get their own exporter, so changed headers (a
     * rotated token) make a new exporter and the old one is shut down. {@code toString} names the header keys only:
     * the values are credentials.
     */
    public record Target(String endpoint, OtlpProtocol protocol, Map<String, String> headers) {

        public Target {
            headers = headers == null ? Map.of() : Map.copyOf(headers);
        }

        public Target(String endpoint, OtlpProtocol protocol) {
            this(endpoint, protocol, Map.of());
        }

        @Override
        public String toString() {
            return "Target[" + endpoint + ", " + protocol + (headers.isEmpty() ? "" : ", headers "
                    + new java.util.TreeSet<>(headers.keySet())) + "]";
        }
    }

    private final Map<Target, MetricExporter> exporters = new HashMap<>();
    private final Map<Target, CompletableResultCode> inFlight = new HashMap<>();
    private final AtomicLong exported = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong withoutHeaders = new AtomicLong();

    /** Starts exporting {@code metrics} to {@code target}; returns at once. */
    public synchronized void export(Target target, Collection<MetricData> metrics) {
        long points = points(metrics);
        CompletableResultCode previous = inFlight.get(target);
        if (previous != null && !previous.isDone()) {
            dropped.addAndGet(points);
            LOG.warn("OTLP export to {} still running; dropping {} points of this interval", target.endpoint(),
                    points);
            return;
        }
        MetricExporter exporter = exporters.computeIfAbsent(target, OtlpExporters::create);
        List<CompletableResultCode> requests = new ArrayList<>();
        for (List<MetricData> batch : batches(metrics, MAX_POINTS_PER_REQUEST)) {
            long n = points(batch);
            CompletableResultCode result = exporter.export(batch);
            requests.add(result);
            result.whenComplete(() -> {
                if (result.isSuccess()) {
                    exported.addAndGet(n);
                } else {
                    dropped.addAndGet(n);
                    LOG.warn("OTLP export of {} points to {} failed{}", n, target.endpoint(),
                            result.getFailureThrowable() == null ? "" : ": " + result.getFailureThrowable().getMessage());
                }
            });
        }
        inFlight.put(target, CompletableResultCode.ofAll(requests));
    }

    /**
     * Consecutive metrics in batches of at most {@code maxPoints} points, in order; a metric with more points than
     * that is a batch of its own (a metric's points are one resource's series of one name, never split).
     */
    static List<List<MetricData>> batches(Collection<MetricData> metrics, int maxPoints) {
        List<List<MetricData>> out = new ArrayList<>();
        List<MetricData> current = new ArrayList<>();
        long inCurrent = 0;
        for (MetricData m : metrics) {
            long n = m.getData().getPoints().size();
            if (!current.isEmpty() && inCurrent + n > maxPoints) {
                out.add(current);
                current = new ArrayList<>();
                inCurrent = 0;
            }
            current.add(m);
            inCurrent += n;
        }
        if (!current.isEmpty()) {
            out.add(current);
        }
        return out;
    }

    /**
     * Drops {@code metrics} of a monitor whose headers the operator has not copied (its Secret is missing or was
     * never valid): sending them without its credentials would only be refused, or worse, accepted as anonymous.
     */
    public void dropWithoutHeaders(Collection<MetricData> metrics) {
        withoutHeaders.addAndGet(points(metrics));
    }

    /** Shuts down the exporters of targets no monitor uses any more. */
    public synchronized void retain(Set<Target> used) {
        exporters.entrySet().removeIf(e -> {
            if (used.contains(e.getKey())) {
                return false;
            }
            e.getValue().shutdown();
            inFlight.remove(e.getKey());
            return true;
        });
    }

    /** Data points the receivers accepted. */
    public long exported() {
        return exported.get();
    }

    /** Data points not delivered: the export failed or was still running. */
    public long dropped() {
        return dropped.get();
    }

    /** Data points not sent because their monitor's headers were not there. */
    public long droppedWithoutHeaders() {
        return withoutHeaders.get();
    }

    /**
     * The SDK exporter of a target. For http/protobuf an endpoint without a path gets the metrics path
     * {@code /v1/metrics}, as the OpenTelemetry exporter settings do for {@code OTEL_EXPORTER_OTLP_ENDPOINT}.
     */
    static MetricExporter create(Target target) {
        return switch (target.protocol()) {
            case GRPC -> {
                var builder = OtlpGrpcMetricExporter.builder().setEndpoint(target.endpoint()).setTimeout(TIMEOUT)
                        .setRetryPolicy(RetryPolicy.getDefault());
                target.headers().forEach(builder::addHeader);
                yield builder.build();
            }
            case HTTP_PROTOBUF -> {
                var builder = OtlpHttpMetricExporter.builder().setEndpoint(httpMetricsUrl(target.endpoint()))
                        .setTimeout(TIMEOUT).setRetryPolicy(RetryPolicy.getDefault());
                target.headers().forEach(builder::addHeader);
                yield builder.build();
            }
        };
    }

    static String httpMetricsUrl(String endpoint) {
        String path = URI.create(endpoint).getPath();
        if (path == null || path.isEmpty() || path.equals("/")) {
            return endpoint.replaceAll("/$", "") + "/v1/metrics";
        }
        return endpoint;
    }

    private static long points(Collection<MetricData> metrics) {
        return metrics.stream().mapToLong(m -> m.getData().getPoints().size()).sum();
    }

    /** Flushes what is in flight (bounded wait) and shuts every exporter down. */
    @Override
    public synchronized void close() {
        // SIGTERM must leave within 2 s: give what is in flight one second in all.
        CompletableResultCode.ofAll(inFlight.values()).join(1, TimeUnit.SECONDS);
        exporters.values().forEach(MetricExporter::shutdown);
        exporters.clear();
    }
}
