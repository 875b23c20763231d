package dev.sonde.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real Prometheus through its HTTP API, as Grafana and a person with curl read it: instant queries, the alerts'
 * states, the rules' evaluation health, the scrape targets. The demo's Prometheus ({@code hack/demo.sh}) is one.
 */
final class PrometheusApi {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    PrometheusApi(URI base) {
        this.base = base;
    }

    URI base() {
        return base;
    }

    /** One series of an instant vector: its labels (with __name__ where there is one) and value. */
    record Sample(JsonNode metric, double value) {

        String label(String name) {
            return metric.path(name).asText();
        }
    }

    /** An instant query now; fails the test when Prometheus rejects the expression. */
    List<Sample> query(String promql) throws Exception {
        JsonNode data = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8), promql);
        List<Sample> samples = new ArrayList<>();
        JsonNode result = data.path("result");
        switch (data.path("resultType").asText()) {
            case "vector" -> result.forEach(s -> samples.add(new Sample(s.path("metric"), number(s.path("value")))));
            case "scalar" -> samples.add(new Sample(JSON.createObjectNode(), number(result)));
            default -> throw new AssertionError("unexpected result type of " + promql + ": " + data);
        }
        return samples;
    }

    /** The values of a label on the series that match a selector (GET /api/v1/label/<label>/values?match[]=...). */
    List<String> labelValues(String label, String match) throws Exception {
        List<String> values = new ArrayList<>();
        JsonNode data = get("/api/v1/label/" + label + "/values?match%5B%5D="
                + URLEncoder.encode(match, StandardCharsets.UTF_8), "label values of " + label);
        data.forEach(v -> values.add(v.asText()));
        return values;
    }

    /** The alerts now, pending or firing (GET /api/v1/alerts). */
    List<JsonNode> alerts() throws Exception {
        List<JsonNode> alerts = new ArrayList<>();
        get("/api/v1/alerts", "alerts").path("alerts").forEach(alerts::add);
        return alerts;
    }

    /** The state of the alert with this name ("pending", "firing"), or "inactive" when there is none. */
    String alertState(String name) throws Exception {
        return alerts().stream().filter(a -> name.equals(a.path("labels").path("alertname").asText()))
                .map(a -> a.path("state").asText()).reduce((a, b) -> "firing".equals(a) ? a : b).orElse("inactive");
    }

    /** Every rule of every loaded group (GET /api/v1/rules): name, query, health, lastError, state. */
    List<JsonNode> rules() throws Exception {
        List<JsonNode> rules = new ArrayList<>();
        get("/api/v1/rules", "rules").path("groups").forEach(g -> g.path("rules").forEach(rules::add));
        return rules;
    }

    /** The active scrape targets (GET /api/v1/targets). */
    List<JsonNode> activeTargets() throws Exception {
        List<JsonNode> targets = new ArrayList<>();
        get("/api/v1/targets?state=active", "targets").path("activeTargets").forEach(targets::add);
        return targets;
    }

    private JsonNode get(String pathAndQuery, String what) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + pathAndQuery))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(response.body());
        assertThat(response.statusCode()).as("Prometheus %s on %s: %s", what, base, response.body()).isEqualTo(200);
        assertThat(body.path("status").asText()).as("Prometheus %s: %s", what, response.body()).isEqualTo("success");
        return body.path("data");
    }

    private static double number(JsonNode pair) {
        return Double.parseDouble(pair.get(1).asText());
    }
}
