package dev.sonde.agent.node;

import dev.sonde.api.agent.AgentConfig;
import dev.sonde.api.agent.CompiledMonitor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides what the agent runs from each compiled config it reads: the valid entries, and for a monitor whose new
 * entry is rejected, its last valid entry (unless a valid entry took its index). Not thread-safe: one reader.
 */
final class ConfigPolicy {

    /**
     * @param config what the agent runs
     * @param rejected entries the agent does not run as written, by monitor uid (or namespace/name without one)
     */
    record Effective(AgentConfig config, Map<String, ConfigReader.Rejected> rejected) {
        static final Effective NOTHING = new Effective(AgentConfig.of(List.of()), Map.of());
    }

    /** The last entry of each monitor that was valid, by uid. */
    private final Map<String, CompiledMonitor> lastValid = new HashMap<>();

    /** What to run after reading {@code read}. */
    Effective apply(ConfigReader.Read read) {
        List<CompiledMonitor> effective = new ArrayList<>(read.monitors());
        Set<Integer> indexes = new HashSet<>();
        read.monitors().forEach(m -> indexes.add(m.index()));
        Map<String, ConfigReader.Rejected> failed = new LinkedHashMap<>();
        for (ConfigReader.Rejected entry : read.rejected()) {
            failed.put(key(entry), entry);
            CompiledMonitor previous = lastValid.get(entry.uid());
            if (previous != null && indexes.add(previous.index())) {
                effective.add(previous);
            }
        }
        lastValid.clear();
        effective.forEach(m -> lastValid.put(m.uid(), m));
        return new Effective(new AgentConfig(AgentConfig.SCHEMA_VERSION, read.hash(), effective), Map.copyOf(failed));
    }

    /** The config is gone: nothing runs, and nothing is remembered. */
    Effective clear() {
        lastValid.clear();
        return Effective.NOTHING;
    }

    private static String key(ConfigReader.Rejected entry) {
        return entry.uid().isEmpty() ? entry.namespace() + "/" + entry.name() : entry.uid();
    }
}
