package dev.sonde.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sonde.testsupport.GrafanaDashboards;
import dev.sonde.testsupport.Promtool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * config/grafana/'s dashboards, linted with the rules of grafana/dashboard-linter (which the Go module proxy does not
 * serve here, so they are written out below) plus what "import it and it works" needs: a data source variable that
 * every panel and target uses, no {@code __inputs}, {@code $__rate_interval} in every range function, variables that
 * exist, PromQL that Prometheus' own parser accepts ({@code promtool check rules}), and only metric names the agent
 * and operator export (docs/metrics.md, docs/operator.md). DemoFlowIT runs every query on the demo's Prometheus.
 */
class GrafanaDashboardsTest {

    private static final Path DIR = RepoFiles.path("config/grafana");
    /** A range in brackets: of a range vector selector (rate(x[5m])) or a subquery. */
    private static final Pattern RANGE = Pattern.compile("\\[([^\\]]+)]");
    private static final Pattern METRIC = Pattern.compile("\\b((?:sonde|up)\\w*)\\s*\\{");
    private static final String DATASOURCE = "${datasource}";

    private final List<JsonNode> dashboards = GrafanaDashboards.files(DIR).stream().map(GrafanaDashboards::read).toList();

    @Test
    void theFourDashboardsHaveUniqueUidsAndTitles() {
        assertThat(dashboards).extracting(d -> d.path("uid").asText())
                .containsExactlyInAnyOrder("sonde-overview", "sonde-monitor", "sonde-agent", "sonde-service-map");
        assertThat(dashboards).extracting(d -> d.path("title").asText()).doesNotHaveDuplicates()
                .allMatch(t -> t.startsWith("Sonde / "));
        for (JsonNode d : dashboards) {
            assertThat(d.has("__inputs")).as("%s imports without an inputs dialog", title(d)).isFalse();
            assertThat(d.path("id").isNull() || d.path("id").isMissingNode()).as("%s has no fixed id", title(d)).isTrue();
            assertThat(d.path("schemaVersion").asInt()).as(title(d)).isGreaterThanOrEqualTo(36);
            assertThat(d.path("tags").toString()).as(title(d)).contains("\"sonde\"");
        }
    }

    /** dashboard-linter's template-datasource-rule, panel-datasource-rule and target-datasource-rule. */
    @Test
    void theDataSourceIsAVariableThatEveryPanelAndTargetUses() {
        for (JsonNode d : dashboards) {
            JsonNode datasource = GrafanaDashboards.variables(d).getFirst();
            assertThat(datasource.path("name").asText()).as(title(d)).isEqualTo("datasource");
            assertThat(datasource.path("type").asText()).isEqualTo("datasource");
            assertThat(datasource.path("query").asText()).isEqualTo("prometheus");
            assertThat(datasource.path("label").asText()).isEqualTo("Data source");
            for (JsonNode panel : GrafanaDashboards.panels(d)) {
                if ("row".equals(panel.path("type").asText())) {
                    continue;
                }
                assertThat(panel.path("datasource").path("uid").asText()).as("%s / %s", title(d), panel.path("title"))
                        .isEqualTo(DATASOURCE);
                assertThat(panel.path("targets")).as("%s / %s has queries", title(d), panel.path("title")).isNotEmpty();
                for (JsonNode target : panel.path("targets")) {
                    assertThat(target.path("datasource").path("uid").asText()).isEqualTo(DATASOURCE);
                }
            }
            for (JsonNode variable : GrafanaDashboards.variables(d)) {
                if ("query".equals(variable.path("type").asText())) {
                    assertThat(variable.path("datasource").path("uid").asText()).as("$%s", variable.path("name"))
                            .isEqualTo(DATASOURCE);
                }
            }
        }
    }

    /** dashboard-linter's panel-title-description-rule, panel-units-rule (timeseries and stat) and unique ids. */
    @Test
    void everyPanelHasATitleADescriptionAUnitAndItsOwnPlace() {
        for (JsonNode d : dashboards) {
            Set<Integer> ids = new HashSet<>();
            for (JsonNode panel : GrafanaDashboards.panels(d)) {
                String where = title(d) + " / " + panel.path("title").asText();
                assertThat(ids.add(panel.path("id").asInt())).as("unique id of " + where).isTrue();
                assertThat(panel.path("title").asText()).as(where).isNotBlank();
                JsonNode grid = panel.path("gridPos");
                assertThat(grid.path("x").asInt() + grid.path("w").asInt()).as("width of " + where).isBetween(1, 24);
                if ("row".equals(panel.path("type").asText())) {
                    continue;
                }
                assertThat(panel.path("description").asText()).as(where).isNotBlank();
                if ("timeseries".equals(panel.path("type").asText())) {
                    assertThat(panel.path("fieldConfig").path("defaults").path("unit").asText()).as("unit of " + where)
                            .isNotBlank();
                }
            }
        }
    }

    /** dashboard-linter's target-rate-interval-rule, and every $variable a panel uses exists. */
    @Test
    void rangeFunctionsUseRateIntervalAndVariablesExist() {
        for (JsonNode d : dashboards) {
            Set<String> defined = new HashSet<>();
            GrafanaDashboards.variables(d).forEach(v -> defined.add(v.path("name").asText()));
            for (GrafanaDashboards.PanelQuery query : GrafanaDashboards.queries(d)) {
                Matcher range = RANGE.matcher(query.expr());
                while (range.find()) {
                    assertThat(range.group(1)).as(query.toString()).isEqualTo("$__rate_interval");
                }
                for (String variable : GrafanaDashboards.variablesUsed(query.expr())) {
                    assertThat(variable.startsWith("__") || defined.contains(variable))
                            .as("$%s in %s is a variable of the dashboard", variable, query).isTrue();
                }
            }
        }
    }

    /** Prometheus' own parser on every query, variables substituted as Grafana does: promtool check rules. */
    @Test
    void everyQueryParsesAsPromQl(@TempDir Path dir) throws IOException {
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboards\n    rules:\n");
        int n = 0;
        for (JsonNode d : dashboards) {
            for (GrafanaDashboards.PanelQuery query : GrafanaDashboards.queries(d)) {
                String expr = GrafanaDashboards.substitute(query.expr(), Map.of("__rate_interval", "1m",
                        "namespace", ".+", "monitor", "demo/checkout", "pod", ".+", "node", ".+"));
                rules.append("      - record: dashboard:query_").append(n++).append('\n')
                        .append("        expr: ").append(RepoFiles.JSON.writeValueAsString(expr)).append('\n');
            }
        }
        assertThat(n).isGreaterThanOrEqualTo(30);
        Path file = dir.resolve("dashboards.rules.yaml");
        Files.writeString(file, rules);
        Promtool.Check check = Promtool.run(dir, "check", "rules", file.toString());
        assertThat(check.exitCode()).as(check + "\n" + rules).isZero();
        assertThat(String.join("\n", check.problems())).contains("SUCCESS: " + n + " rules found");
    }

    /** No panel charts a name that nothing exports: each metric is in the metrics reference. */
    @Test
    void everyMetricIsOneTheAgentOrOperatorExports() throws IOException {
        String reference = Files.readString(RepoFiles.path("docs/metrics.md")) + Files.readString(RepoFiles.path("docs/operator.md"));
        List<String> metrics = new ArrayList<>();
        for (JsonNode d : dashboards) {
            for (GrafanaDashboards.PanelQuery query : GrafanaDashboards.queries(d)) {
                Matcher m = METRIC.matcher(query.expr());
                while (m.find()) {
                    metrics.add(m.group(1));
                }
            }
        }
        assertThat(metrics).isNotEmpty();
        for (String metric : metrics) {
            if (metric.equals("up")) {
                continue;
            }
            String base = metric.replaceAll("_bucket$", "");
            assertThat(reference).as(metric + " in docs/metrics.md or docs/operator.md").contains("`" + base + "`");
        }
    }

    /**
     * The service map's Node Graph gets the two frames Grafana's Node Graph reads (its data API: the frame with a
     * {@code source} field is the edges, another the nodes; field names case-insensitive): instant table queries,
     * each value renamed by an organize for its refId alone, merged per group on the same label columns, edges on
     * (id, source, target) and nodes on (id, title, subtitle), with only the stat fields the Node Graph knows.
     */
    @Test
    void theServiceMapFeedsTheNodeGraphAnEdgesFrameAndANodesFrame() {
        JsonNode map = dashboards.stream().filter(d -> d.path("uid").asText().equals("sonde-service-map")).findFirst()
                .orElseThrow();
        List<GrafanaDashboards.NodeGraph> graphs = GrafanaDashboards.nodeGraphs(map);
        assertThat(graphs).hasSize(1);
        GrafanaDashboards.NodeGraph graph = graphs.getFirst();
        JsonNode panel = GrafanaDashboards.panels(map).stream().filter(p -> p.path("type").asText().equals("nodeGraph"))
                .findFirst().orElseThrow();
        for (JsonNode target : panel.path("targets")) {
            assertThat(target.path("format").asText()).as(target.path("refId").asText()).isEqualTo("table");
            assertThat(target.path("instant").asBoolean()).as(target.path("refId").asText()).isTrue();
        }
        List<String> refIds = new ArrayList<>();
        panel.path("targets").forEach(t -> refIds.add(t.path("refId").asText()));
        assertThat(graph.fields()).as("one organize per refId, applied to it alone").containsOnlyKeys(refIds);
        for (JsonNode t : panel.path("transformations")) {
            if (t.path("id").asText().equals("organize")) {
                String refId = t.path("filter").path("options").asText();
                assertThat(t.path("filter").path("id").asText()).isEqualTo("byRefId");
                JsonNode rename = t.path("options").path("renameByName");
                // Grafana names a table query's value "Value #<refId>" when the panel has several, "Value" alone
                assertThat(rename.path("Value").asText()).as(refId).isEqualTo(rename.path("Value #" + refId).asText());
                assertThat(t.path("options").path("excludeByName").path("Time").asBoolean()).as(refId).isTrue();
            }
        }
        assertThat(graph.columns()).as("two merges: edges and nodes").hasSize(2);
        assertThat(graph.columns().values()).containsExactlyInAnyOrder(List.of("id", "source", "target"),
                List.of("id", "title", "subtitle"));
        List<String> merged = new ArrayList<>();
        graph.columns().keySet().forEach(group -> merged.addAll(List.of(group.split("\\|"))));
        assertThat(merged).as("every refId in exactly one merge").containsExactlyInAnyOrderElementsOf(refIds);
        for (GrafanaDashboards.PanelQuery q : graph.edges()) {
            assertThat(GrafanaDashboards.grouping(q.expr())).as(q.toString()).containsExactly("id", "source", "target");
            assertThat(graph.fields().get(q.refId())).as(q.toString()).matches("mainstat|secondarystat|detail__\\w+");
        }
        for (GrafanaDashboards.PanelQuery q : graph.nodes()) {
            assertThat(GrafanaDashboards.grouping(q.expr())).as(q.toString()).containsExactly("id", "title", "subtitle");
            assertThat(graph.fields().get(q.refId())).as(q.toString())
                    .matches("mainstat|secondarystat|arc__\\w+|detail__\\w+");
        }
        List<String> edgeFields = graph.edges().stream().map(q -> graph.fields().get(q.refId())).toList();
        List<String> nodeFields = graph.nodes().stream().map(q -> graph.fields().get(q.refId())).toList();
        assertThat(edgeFields).doesNotHaveDuplicates().contains("mainstat", "secondarystat");
        assertThat(nodeFields).doesNotHaveDuplicates().contains("mainstat", "secondarystat");
        List<String> arcs = new ArrayList<>();
        panel.path("options").path("nodes").path("arcs").forEach(a -> arcs.add(a.path("field").asText()));
        assertThat(arcs).as("the arcs the panel colours are node fields")
                .containsExactlyInAnyOrderElementsOf(nodeFields.stream().filter(f -> f.startsWith("arc__")).toList());
        // the merges come after every organize: a merged frame has no refId for a later filter to match
        List<String> order = new ArrayList<>();
        panel.path("transformations").forEach(t -> order.add(t.path("id").asText()));
        assertThat(order.subList(order.size() - 2, order.size())).containsExactly("merge", "merge");
    }

    private static String title(JsonNode dashboard) {
        return dashboard.path("title").asText();
    }
}
