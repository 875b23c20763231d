package dev.sonde.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonde.testsupport.OtelCollector.DataPoint;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The real collector receives OTLP/HTTP JSON and {@link OtelCollector#dataPoints()} reads back what it exported. */
class OtelCollectorIT {

    private static final String METRICS = """
            {"resourceMetrics": [{
              "resource": {"attributes": [
                {"key": "service.name", "value": {"stringValue": "sonde-agent"}},
                {"key": "k8s.node.name", "value": {"stringValue": "node-1"}}]},
              "scopeMetrics": [{
                "scope": {"name": "dev.sonde.agent"},
                "metrics": [
                  {"name": "sonde.tcp.connects", "unit": "{connect}",
                   "sum": {"aggregationTemporality": 2, "isMonotonic": true, "dataPoints": [{
                     "attributes": [{"key": "k8s.pod.name", "value": {"stringValue": "client-0"}},
                                    {"key": "sonde.result", "value": {"stringValue": "refused"}}],
                     "startTimeUnixNano": "1700000000000000000", "timeUnixNano": "1700000010000000000",
                     "asInt": "42"}]}},
                  {"name": "sonde.tcp.connect.duration", "unit": "s",
                   "histogram": {"aggregationTemporality": 2, "dataPoints": [{
                     "attributes": [{"key": "k8s.pod.name", "value": {"stringValue": "client-0"}}],
                     "startTimeUnixNano": "1700000000000000000", "timeUnixNano": "1700000010000000000",
                     "count": "6", "sum": 0.0125,
                     "explicitBounds": [0.001, 0.01], "bucketCounts": ["3", "2", "1"]}]}}]}]}]}
            """;

    @Test
    void exportsWhatItReceivesOverOtlpHttpJson() throws Exception {
        try (OtelCollector collector = OtelCollector.start(); HttpClient http = HttpClient.newHttpClient()) {
            assertThat(collector.grpcEndpoint()).matches("http://127\\.0\\.0\\.1:\\d+");

            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                            URI.create(collector.httpEndpoint() + "/v1/metrics"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(METRICS))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);

            List<DataPoint> points = collector.awaitDataPoints(p -> p.size() == 2, Duration.ofSeconds(10));
            Map<String, String> resource = Map.of("service.name", "sonde-agent", "k8s.node.name", "node-1");
            assertThat(points).containsExactly(
                    new DataPoint("sonde.tcp.connects", "sum", resource,
                            Map.of("k8s.pod.name", "client-0", "sonde.result", "refused"), 42, 0, 0, List.of(),
                            List.of(), 1700000000000000000L, 1700000010000000000L, "{connect}"),
                    new DataPoint("sonde.tcp.connect.duration", "histogram", resource,
                            Map.of("k8s.pod.name", "client-0"), 0, 6, 0.0125, List.of(0.001, 0.01),
                            List.of(3L, 2L, 1L), 1700000000000000000L, 1700000010000000000L, "s"));
        }
    }
}
