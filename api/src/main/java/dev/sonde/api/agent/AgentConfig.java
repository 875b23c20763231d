package dev.sonde.api.agent;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * The compiled agent config: every active NetworkMonitor, resolved. The operator writes it as
 * {@link #toJson()} under {@link #CONFIG_MAP_KEY} of a ConfigMap; agents read it with {@link #fromJson}.
 *
 * <p>{@code hash} is the SHA-256 (lowercase hex) of the canonical JSON of everything else: properties sorted
 * by name, no nulls, no whitespace. Monitors are sorted by index and every list inside is normalised, so
 * equal content gives an equal hash whatever order the operator found things in.
 *
 * @param schemaVersion version of this format; agents refuse versions they don't know
 * @param hash SHA-256 of the canonical JSON without the hash
 * @param monitors active monitors, sorted by index
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AgentConfig(int schemaVersion, String hash, List<CompiledMonitor> monitors) {

    public static final int SCHEMA_VERSION = 1;

    /** Key of the config in the operator's ConfigMap. */
    public static final String CONFIG_MAP_KEY = "agent-config.json";

    /** Annotation carrying the hash on the compiled config's ConfigMap (not on the agent pods: a change must not roll them). */
    public static final String HASH_ANNOTATION = "sonde.dev/config-hash";

    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .disable(MapperFeature.SORT_CREATOR_PROPERTIES_FIRST)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .disable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();

    /** Use {@link #of}; this constructor only normalises, it does not compute the hash. */
    public AgentConfig {
        monitors = monitors == null ? List.of()
                : monitors.stream().sorted(Comparator.comparingInt(CompiledMonitor::index)).toList();
        if (monitors.stream().map(CompiledMonitor::index).distinct().count() != monitors.size()) {
            throw new IllegalArgumentException("two monitors share an index");
        }
    }

    /** A config of the current schema version with its hash computed. */
    public static AgentConfig of(List<CompiledMonitor> monitors) {
        AgentConfig unhashed = new AgentConfig(SCHEMA_VERSION, null, monitors);
        return new AgentConfig(SCHEMA_VERSION, unhashed.computeHash(), unhashed.monitors());
    }

    /** The canonical JSON of everything but the hash, which the hash is computed over. */
    public String canonicalJson() {
        return write(new AgentConfig(schemaVersion, null, monitors));
    }

    /** SHA-256 of {@link #canonicalJson()}, lowercase hex. */
    public String computeHash() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonicalJson().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** The canonical JSON including the hash: what goes into the ConfigMap. */
    public String toJson() {
        return write(this);
    }

    /** Throws IllegalArgumentException unless {@code version} is the schema this code reads. */
    public static void checkSchemaVersion(int version) {
        if (version != SCHEMA_VERSION) {
            throw new IllegalArgumentException("agent config schemaVersion " + version
                    + " is not supported (this agent reads " + SCHEMA_VERSION + ")");
        }
    }

    /**
     * Reads a config written by {@link #toJson()}, refusing an unknown schema version or a hash that does not
     * match the content.
     */
    public static AgentConfig fromJson(String json) {
        AgentConfig config;
        try {
            config = CANONICAL.readValue(json, AgentConfig.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not an agent config: " + e.getOriginalMessage(), e);
        }
        checkSchemaVersion(config.schemaVersion());
        String expected = config.computeHash();
        if (!expected.equals(config.hash())) {
            throw new IllegalArgumentException(
                    "agent config hash " + config.hash() + " does not match its content (" + expected + ")");
        }
        return config;
    }

    private static String write(AgentConfig config) {
        try {
            return CANONICAL.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("agent config must always serialise", e);
        }
    }
}
