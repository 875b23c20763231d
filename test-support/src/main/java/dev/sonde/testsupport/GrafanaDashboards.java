package dev.sonde.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Grafana dashboards of config/grafana/ as data: every panel's PromQL and every template variable, with
 * Grafana's substitution of {@code $name} / {@code ${name}} and {@code $__rate_interval}, so that a test can lint
 * them and run each query on a real Prometheus.
 */
public final class GrafanaDashboards {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** {@code ${name}} or {@code $name}; not {@code $1}: a regex group in label_replace, which Grafana leaves alone. */
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_]\\w*)}|\\$([A-Za-z_]\\w*)");
    /** The first {@code sum by (...)} of an expression, after parentheses and constants such as {@code 100 *}. */
    private static final Pattern REF_IDS = Pattern.compile("/\\^\\(\\?:([\\w|]+)\\)\\$/");
    private static final Pattern GROUPING = Pattern.compile("^\\(?(?:\\S+ [-*/] )*\\(*sum by \\(([^)]*)\\)");

    private GrafanaDashboards() {
    }

    /** One target of one panel: where it is, and its expression as written. */
    public record PanelQuery(String dashboard, String panel, String refId, String expr) {

        @Override
        public String toString() {
            return dashboard + " / " + panel + " (" + refId + "): " + expr;
        }
    }

    /**
     * A Node Graph panel fed by table-format instant queries, each renamed by an {@code organize} that applies to
     * its refId alone, then merged into one frame per group by a {@code merge} that applies to the group's refIds.
     * Grafana's Node Graph takes the frame with a {@code source} field for its edges and another for its nodes.
     *
     * @param columns the label columns of each group's frame: the grouping labels its queries share
     * @param fields what each refId's value becomes (mainstat, secondarystat, arc__*, detail__*)
     */
    public record NodeGraph(String panel, List<PanelQuery> edges, List<PanelQuery> nodes,
            Map<String, List<String>> columns, Map<String, String> fields) {
    }

    /** The labels an expression's outermost {@code sum by (...)} keeps: its table's label columns. */
    public static List<String> grouping(String expr) {
        Matcher m = GROUPING.matcher(expr);
        if (!m.find()) {
            throw new IllegalArgumentException("no leading sum by (...) in " + expr);
        }
        return List.of(m.group(1).split(",\\s*"));
    }

    /** The refIds a transformation's {@code byRefId} filter selects: one, or {@code /^(?:A|B)$/} as Grafana writes several. */
    public static List<String> refIds(String filter) {
        Matcher m = REF_IDS.matcher(filter);
        return m.matches() ? List.of(m.group(1).split("\\|")) : List.of(filter);
    }

    /** The dashboard's Node Graph panels, their queries split into edges and nodes as their transformations do. */
    public static List<NodeGraph> nodeGraphs(JsonNode dashboard) {
        List<NodeGraph> out = new ArrayList<>();
        for (JsonNode panel : panels(dashboard)) {
            if (!"nodeGraph".equals(panel.path("type").asText())) {
                continue;
            }
            Map<String, PanelQuery> byRefId = new LinkedHashMap<>();
            queries(dashboard).stream().filter(q -> q.panel().equals(panel.path("title").asText()))
                    .forEach(q -> byRefId.put(q.refId(), q));
            Map<String, String> fields = new LinkedHashMap<>();
            Map<String, List<String>> columns = new LinkedHashMap<>();
            List<PanelQuery> edges = new ArrayList<>();
            List<PanelQuery> nodes = new ArrayList<>();
            for (JsonNode t : panel.path("transformations")) {
                String filter = t.path("filter").path("options").asText();
                if (t.path("id").asText().equals("organize")) {
                    fields.put(filter, t.path("options").path("renameByName").path("Value #" + filter).asText());
                } else if (t.path("id").asText().equals("merge")) {
                    List<String> refIds = refIds(filter);
                    List<PanelQuery> group = refIds.stream().map(byRefId::get).toList();
                    List<String> labels = grouping(group.getFirst().expr());
                    columns.put(String.join("|", refIds), labels);
                    (labels.contains("source") ? edges : nodes).addAll(group);
                }
            }
            out.add(new NodeGraph(panel.path("title").asText(), edges, nodes, columns, fields));
        }
        return out;
    }

    /** The dashboards' files, sorted by name. */
    public static List<Path> files(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode read(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse " + file, e);
        }
    }

    /** Every panel, rows' nested panels included (rows themselves too). */
    public static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> out = new ArrayList<>();
        dashboard.path("panels").forEach(p -> {
            out.add(p);
            p.path("panels").forEach(out::add);
        });
        return out;
    }

    /** Every target with an expression of every panel. */
    public static List<PanelQuery> queries(JsonNode dashboard) {
        List<PanelQuery> out = new ArrayList<>();
        for (JsonNode panel : panels(dashboard)) {
            for (JsonNode target : panel.path("targets")) {
                if (target.hasNonNull("expr")) {
                    out.add(new PanelQuery(dashboard.path("title").asText(), panel.path("title").asText(),
                            target.path("refId").asText(), target.path("expr").asText()));
                }
            }
        }
        return out;
    }

    /** The template variables in their order (a later one's query may use an earlier one). */
    public static List<JsonNode> variables(JsonNode dashboard) {
        List<JsonNode> out = new ArrayList<>();
        dashboard.path("templating").path("list").forEach(out::add);
        return out;
    }

    /** The names {@code $name} or {@code ${name}} used in an expression, Grafana's built-ins ({@code __*}) too. */
    public static List<String> variablesUsed(String expr) {
        List<String> out = new ArrayList<>();
        Matcher m = VARIABLE.matcher(expr);
        while (m.find()) {
            out.add(m.group(1) != null ? m.group(1) : m.group(2));
        }
        return out;
    }

    /**
     * The expression as Grafana sends it: each {@code $name} / {@code ${name}} replaced by its value.
     *
     * @throws IllegalArgumentException for a variable without a value
     */
    public static String substitute(String expr, Map<String, String> values) {
        Matcher m = VARIABLE.matcher(expr);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2);
            String value = values.get(name);
            if (value == null) {
                throw new IllegalArgumentException("no value for $" + name + " in " + expr);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }
}
