package dev.sonde.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real OpenTelemetry Collector for tests: OTLP in over gRPC and HTTP on free loopback ports, every metric data
 * point out to a JSON-lines file that {@link #dataPoints()} reads back.
 *
 * <p>The binary is the pinned build of {@code hack/tools/otelcol}; {@code hack/test.sh} builds it with
 * {@code ensure_otelcol} from {@code hack/lib/common.sh} and passes its path in {@code SONDE_OTELCOL}. Each instance
 * works in its own temporary directory, which is kept after {@link #close()} so the collector's log can be read.
 */
public final class OtelCollector implements AutoCloseable {

    /** The environment variable that names the collector binary. */
    public static final String BINARY_ENV = "SONDE_OTELCOL";

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(100);
    private static final int LOG_TAIL_LINES = 40;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path log;
    private final Path output;
    private final int grpcPort;
    private final int httpPort;

    private OtelCollector(Process process, Path log, Path output, int grpcPort, int httpPort) {
        this.process = process;
        this.log = log;
        this.output = output;
        this.grpcPort = grpcPort;
        this.httpPort = httpPort;
    }

    /**
     * One metric data point as the collector exported it. Sums and gauges carry {@code value}; histograms carry
     * {@code count}, {@code sum}, {@code explicitBounds} and {@code bucketCounts} (and {@code value} 0).
     *
     * @param type {@code sum}, {@code gauge} or {@code histogram}
     * @param value the sum or gauge value, from {@code asInt} or {@code asDouble}
     */
    public record DataPoint(String metric, String type, Map<String, String> resource, Map<String, String> attributes,
            double value, long count, double sum, List<Double> explicitBounds, List<Long> bucketCounts,
            long startTimeUnixNano, long timeUnixNano, String unit) {
    }

    /**
     * Starts the collector from {@code SONDE_OTELCOL} and waits until both OTLP ports accept connections.
     *
     * @throws IllegalStateException if {@code SONDE_OTELCOL} is unset or not executable, or the collector does not
     *     come up (the message has the tail of its log)
     */
    public static OtelCollector start() throws IOException, InterruptedException {
        return start(null);
    }

    /**
     * Like {@link #start()}, but both OTLP receivers refuse requests without the header
     * {@code Authorization: Bearer <token>} (the contrib {@code bearertokenauth} extension), as a hosted OTLP backend
     * refuses requests without its API key: gRPC answers {@code UNAUTHENTICATED}, HTTP {@code 401}.
     */
    public static OtelCollector startRequiringBearerToken(String token) throws IOException, InterruptedException {
        if (token == null || token.isBlank() || !token.matches("[\\x21-\\x7e]+")) {
            throw new IllegalArgumentException("a bearer token must be printable ASCII without spaces");
        }
        return start(token);
    }

    private static OtelCollector start(String bearerToken) throws IOException, InterruptedException {
        Path binary = binary();
        Path dir = Files.createTempDirectory("sonde-otelcol-");
        int grpcPort = LocalPorts.freeLoopbackPort();
        int httpPort = LocalPorts.freeLoopbackPort();
        Path output = dir.resolve("metrics.jsonl");
        Path config = Files.writeString(dir.resolve("config.yaml"), config(grpcPort, httpPort, output, bearerToken));
        Path log = dir.resolve("otelcol.log");
        Process process = new ProcessBuilder(binary.toString(), "--config=file:" + config)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        OtelCollector collector = new OtelCollector(process, log, output, grpcPort, httpPort);
        try {
            collector.awaitListening();
        } catch (IllegalStateException | InterruptedException e) {
            collector.close();
            throw e;
        }
        return collector;
    }

    /** The OTLP/gRPC endpoint, {@code http://127.0.0.1:PORT}. */
    public String grpcEndpoint() {
        return "http://127.0.0.1:" + grpcPort;
    }

    /** The OTLP/HTTP base endpoint, {@code http://127.0.0.1:PORT} (metrics go to {@code /v1/metrics}). */
    public String httpEndpoint() {
        return "http://127.0.0.1:" + httpPort;
    }

    /** The collector's own log (stdout and stderr). */
    public Path log() {
        return log;
    }

    /**
     * Every sum, gauge and histogram data point exported so far, in order. Other metric types are left out. The
     * exporter flushes every 100 ms, so a point received just now may not be here yet: see {@link #awaitDataPoints}.
     */
    public List<DataPoint> dataPoints() {
        return readDataPoints(output);
    }

    /**
     * The data points in a file exporter's JSON-lines output, e.g. the one hack/demo.sh's collector writes; empty
     * while the file does not exist.
     */
    public static List<DataPoint> readDataPoints(Path output) {
        if (!Files.exists(output)) {
            return List.of();
        }
        String content;
        try {
            content = Files.readString(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<DataPoint> points = new ArrayList<>();
        // Only complete lines: the exporter may be half-way through writing the last one.
        String[] lines = content.substring(0, content.lastIndexOf('\n') + 1).split("\n");
        for (String line : lines) {
            if (!line.isBlank()) {
                parseLine(line, points);
            }
        }
        return points;
    }

    /**
     * Polls {@link #dataPoints()} until {@code until} accepts them, and returns them.
     *
     * @throws AssertionError on timeout, with what was exported and the collector's log tail
     */
    public List<DataPoint> awaitDataPoints(Predicate<List<DataPoint>> until, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<DataPoint> points = dataPoints();
            if (until.test(points)) {
                return points;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the collector's data points did not match within " + timeout + "; got "
                        + points.size() + ": " + points + "\n" + logTail());
            }
            Thread.sleep(POLL_INTERVAL);
        }
    }

    /** Stops the collector: SIGTERM, then SIGKILL after 10 s. The temporary directory and its log stay. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static Path binary() {
        return ToolBinary.fromEnv(BINARY_ENV, "the test OpenTelemetry Collector", "ensure_otelcol");
    }

    /** Metrics only; the collector's own telemetry is off, so it listens on nothing but the two OTLP ports. */
    private static String config(int grpcPort, int httpPort, Path output, String bearerToken) {
        String auth = bearerToken == null ? ""
                : "\n        auth:\n          authenticator: bearertokenauth";
        String extensions = bearerToken == null ? "" : """
                extensions:
                  bearertokenauth:
                    scheme: Bearer
                    token: "%s"
                """.formatted(bearerToken.replace("\\", "\\\\").replace("\"", "\\\""));
        return extensions + """
                receivers:
                  otlp:
                    protocols:
                      grpc:
                        endpoint: "127.0.0.1:%d"%s
                      http:
                        endpoint: "127.0.0.1:%d"%s
                exporters:
                  file:
                    path: "%s"
                    format: json
                    flush_interval: 100ms
                  debug:
                    verbosity: basic
                service:
                  extensions: [%s]
                  telemetry:
                    metrics:
                      level: none
                  pipelines:
                    metrics:
                      receivers: [otlp]
                      exporters: [file, debug]
                """.formatted(grpcPort, auth, httpPort, auth, output, bearerToken == null ? "" : "bearertokenauth");
    }

    private void awaitListening() throws InterruptedException {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (!(accepts(grpcPort) && accepts(httpPort))) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the collector exited with " + process.exitValue() + " on start\n"
                        + logTail());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the collector did not listen on 127.0.0.1:" + grpcPort + " (gRPC) and "
                        + httpPort + " (HTTP) within " + STARTUP_TIMEOUT + "\n" + logTail());
            }
            Thread.sleep(POLL_INTERVAL);
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "collector log " + log + " (last lines):\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "collector log " + log + " unreadable: " + e;
        }
    }

    /** One line of the file exporter: an OTLP/JSON {@code ExportMetricsServiceRequest}. */
    private static void parseLine(String line, List<DataPoint> points) {
        JsonNode request;
        try {
            request = JSON.readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException("unparsable collector output line: " + line, e);
        }
        for (JsonNode resourceMetrics : request.path("resourceMetrics")) {
            Map<String, String> resource = attributes(resourceMetrics.path("resource").path("attributes"));
            for (JsonNode scopeMetrics : resourceMetrics.path("scopeMetrics")) {
                for (JsonNode metric : scopeMetrics.path("metrics")) {
                    for (String type : List.of("sum", "gauge", "histogram")) {
                        for (JsonNode point : metric.path(type).path("dataPoints")) {
                            points.add(dataPoint(metric, type, resource, point));
                        }
                    }
                }
            }
        }
    }

    /** 64-bit integers are JSON strings in OTLP/JSON; {@code asLong()} and {@code asDouble()} read both forms. */
    private static DataPoint dataPoint(JsonNode metric, String type, Map<String, String> resource, JsonNode point) {
        double value = point.has("asInt") ? point.get("asInt").asLong() : point.path("asDouble").asDouble();
        List<Double> bounds = new ArrayList<>();
        point.path("explicitBounds").forEach(bound -> bounds.add(bound.asDouble()));
        List<Long> buckets = new ArrayList<>();
        point.path("bucketCounts").forEach(count -> buckets.add(count.asLong()));
        return new DataPoint(metric.path("name").asText(), type, resource, attributes(point.path("attributes")),
                value, point.path("count").asLong(), point.path("sum").asDouble(), List.copyOf(bounds),
                List.copyOf(buckets), point.path("startTimeUnixNano").asLong(), point.path("timeUnixNano").asLong(),
                metric.path("unit").asText());
    }

    /** OTLP key-values as strings: scalars by their text, arrays and key-value lists as their JSON. */
    private static Map<String, String> attributes(JsonNode keyValues) {
        Map<String, String> attributes = new LinkedHashMap<>();
        for (JsonNode keyValue : keyValues) {
            Iterator<JsonNode> anyValue = keyValue.path("value").elements();
            JsonNode value = anyValue.hasNext() ? anyValue.next() : null;
            String text = value == null ? "" : value.isValueNode() ? value.asText() : value.toString();
            attributes.put(keyValue.path("key").asText(), text);
        }
        return Map.copyOf(attributes);
    }
}
