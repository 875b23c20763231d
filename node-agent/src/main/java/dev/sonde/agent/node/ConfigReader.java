package dev.sonde.agent.node;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.sonde.api.agent.AgentConfig;
import dev.sonde.api.agent.CompiledExport;
import dev.sonde.api.agent.CompiledMonitor;
import dev.sonde.api.v1alpha1.ProbeName;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the compiled agent config one monitor entry at a time, so that an entry this agent can't run (written by a
 * newer operator, or damaged) fails that monitor only. A document that is not an agent config at all, or of another
 * schema version, is refused whole.
 */
final class ConfigReader {

    static final String INVALID_CONFIG_ENTRY = "InvalidConfigEntry";
    static final String UNSUPPORTED_PROBE = "UnsupportedProbe";
    static final String INVALID_EXPORT = "InvalidExport";

    private static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    private static final Set<String> PROBE_NAMES = new HashSet<>(
            Arrays.stream(ProbeName.values()).map(ProbeName::wireName).toList());

    private ConfigReader() {
    }

    /**
     * A config entry this agent does not run as written.
     *
     * @param namespace the monitor's namespace, as far as the entry says
     * @param name the monitor's name, as far as the entry says
     * @param uid the monitor's uid, or "" when the entry has none
     * @param reason CamelCase, for the AgentReport
     */
    record Rejected(String namespace, String name, String uid, String reason, String message) {
    }

    /**
     * What the document holds.
     *
     * @param hash the document's hash, whatever the entries: the operator sees which config this agent read
     * @param monitors the entries this agent can run
     */
    record Read(String hash, List<CompiledMonitor> monitors, List<Rejected> rejected) {
    }

    static Read read(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("not an agent config: not a JSON object");
        }
        AgentConfig.checkSchemaVersion(root.path("schemaVersion").asInt(-1));
        JsonNode entries = root.path("monitors");
        if (!entries.isMissingNode() && !entries.isArray()) {
            throw new IllegalArgumentException("agent config monitors is not a list");
        }
        List<CompiledMonitor> monitors = new ArrayList<>();
        List<Rejected> rejected = new ArrayList<>();
        Set<Integer> indexes = new HashSet<>();
        for (JsonNode entry : entries) {
            Rejected problem = check(entry);
            CompiledMonitor monitor = null;
            if (problem == null) {
                try {
                    monitor = JSON.treeToValue(entry, CompiledMonitor.class);
                } catch (JsonProcessingException | IllegalArgumentException e) {
                    problem = rejected(entry, INVALID_CONFIG_ENTRY, "cannot read the entry: " + message(e));
                }
            }
            if (problem == null && !indexes.add(monitor.index())) {
                problem = rejected(entry, INVALID_CONFIG_ENTRY, "index " + monitor.index() + " is used twice");
            }
            if (problem == null) {
                problem = checkExport(entry, monitor.export());
            }
            if (problem == null) {
                monitors.add(monitor);
            } else {
                rejected.add(problem);
            }
        }
        return new Read(root.path("hash").asText(""), monitors, rejected);
    }

    /** What the record constructors can't tell apart from a malformed entry: probes this agent does not know. */
    private static Rejected check(JsonNode entry) {
        if (!entry.isObject()) {
            return rejected(entry, INVALID_CONFIG_ENTRY, "the entry is not a JSON object");
        }
        for (JsonNode probe : entry.path("probes")) {
            String name = probe.path("name").asText();
            if (!PROBE_NAMES.contains(name)) {
                return rejected(entry, UNSUPPORTED_PROBE, "this agent has no probe '" + name + "' (it knows "
                        + String.join(", ", PROBE_NAMES.stream().sorted().toList()) + "); upgrade the agent");
            }
        }
        return null;
    }

    private static Rejected checkExport(JsonNode entry, CompiledExport export) {
        if (export.otlp() == null) {
            return null;
        }
        String endpoint = export.otlp().endpoint();
        try {
            URI uri = new URI(endpoint);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                return rejected(entry, INVALID_EXPORT, "export.otlp.endpoint '" + endpoint
                        + "' is not an http:// or https:// URL with a host");
            }
        } catch (java.net.URISyntaxException e) {
            return rejected(entry, INVALID_EXPORT, "export.otlp.endpoint '" + endpoint + "' is not a URL: "
                    + e.getReason());
        }
        return null;
    }

    private static Rejected rejected(JsonNode entry, String reason, String message) {
        return new Rejected(entry.path("namespace").asText(""), entry.path("name").asText(""),
                entry.path("uid").asText(""), reason, message);
    }

    private static String message(Exception e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }
}
