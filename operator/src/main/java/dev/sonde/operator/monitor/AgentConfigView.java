package dev.sonde.operator.monitor;

import dev.sonde.api.agent.AgentConfig;
import dev.sonde.api.agent.CompiledMonitor;
import dev.sonde.api.v1alpha1.NetworkMonitor;
import dev.sonde.operator.Conditions;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The compiled agent config as the monitors' statuses see it. A status depends on the config only through whether
 * the monitor is in it ({@code ConfigPending} until it is), so a new version of the ConfigMap concerns only the
 * monitors that came into it or left it, and any whose cached Ready reason says the opposite of what the new
 * version says. The fleet rewrites the config for every monitor created or changed; mapping each version to every
 * monitor queued hundreds of reconciles that changed nothing ahead of the new monitors' own (docs/benchmarks.md,
 * "Operator at scale").
 *
 * <p>The config is parsed, and its hash checked, once per ConfigMap version, for the mapper and the reconciles alike.
 */
final class AgentConfigView {

    private static final Logger LOG = Logger.getLogger(AgentConfigView.class);

    private final Supplier<Stream<NetworkMonitor>> monitors;
    /** The version last parsed, for reconciles and the mapper. */
    private volatile Parsed latest;
    /** The version the mapper last saw; null when unknown (at start, and after a deletion). Guarded by this. */
    private Parsed mapped;

    /** @param monitors every monitor in the controller's cache, with the status it last wrote */
    AgentConfigView(Supplier<Stream<NetworkMonitor>> monitors) {
        this.monitors = monitors;
    }

    /** The config the ConfigMap holds; null when there is none or it is unreadable (every monitor is pending then). */
    AgentConfig config(Optional<ConfigMap> configMap) {
        return configMap.map(this::parsed).map(Parsed::config).orElse(null);
    }

    /**
     * The monitors a new state of the ConfigMap concerns, for its informer's secondary-to-primary mapper, which
     * JOSDK calls once per event, in order. The first event, and a repeat of the version last seen (which is how a
     * deletion arrives: the object's last state), concern every monitor.
     */
    synchronized Set<ResourceID> monitorsConcerned(ConfigMap configMap) {
        Parsed previous = mapped;
        if (previous == null || Objects.equals(previous.resourceVersion(), version(configMap))) {
            mapped = previous == null ? parsed(configMap) : null;
            return monitors.get().map(ResourceID::fromResource).collect(Collectors.toSet());
        }
        Parsed next = parsed(configMap);
        mapped = next;
        Set<ResourceID> concerned = new HashSet<>();
        previous.members().forEach((uid, id) -> {
            if (!next.members().containsKey(uid)) {
                concerned.add(id);
            }
        });
        next.members().forEach((uid, id) -> {
            if (!previous.members().containsKey(uid)) {
                concerned.add(id);
            }
        });
        // a version missed (a watch gap) or a status written from an older version: the cached reason tells
        monitors.get().filter(m -> contradicts(m, next)).map(ResourceID::fromResource).forEach(concerned::add);
        return concerned;
    }

    private static boolean contradicts(NetworkMonitor monitor, Parsed config) {
        if (monitor.getStatus() == null) {
            return false; // not reconciled yet: its own event is queued
        }
        boolean compiled = config.members().containsKey(monitor.getMetadata().getUid());
        return Conditions.find(monitor.getStatus().getConditions(), Conditions.READY)
                .map(ready -> compiled ? Reasons.CONFIG_PENDING.equals(ready.getReason())
                        : Reasons.COMPILED.contains(ready.getReason()))
                .orElse(false);
    }

    private Parsed parsed(ConfigMap configMap) {
        String version = version(configMap);
        Parsed last = latest;
        if (last != null && version != null && version.equals(last.resourceVersion())) {
            return last;
        }
        AgentConfig config = parse(configMap);
        Map<String, ResourceID> members = config == null ? Map.of() : config.monitors().stream()
                .collect(Collectors.toUnmodifiableMap(CompiledMonitor::uid,
                        m -> new ResourceID(m.name(), m.namespace()), (a, b) -> a));
        Parsed parsed = new Parsed(version, config, members);
        latest = parsed;
        return parsed;
    }

    private static AgentConfig parse(ConfigMap configMap) {
        String json = configMap.getData() == null ? null : configMap.getData().get(AgentConfig.CONFIG_MAP_KEY);
        if (json == null) {
            return null;
        }
        try {
            return AgentConfig.fromJson(json);
        } catch (IllegalArgumentException e) {
            LOG.warnf("the agent config in %s/%s is unreadable: %s", configMap.getMetadata().getNamespace(),
                    configMap.getMetadata().getName(), e.getMessage());
            return null;
        }
    }

    private static String version(ConfigMap configMap) {
        return configMap.getMetadata() == null ? null : configMap.getMetadata().getResourceVersion();
    }

    /** One version of the ConfigMap: its config (null if none or unreadable) and the monitors in it, by uid. */
    private record Parsed(String resourceVersion, AgentConfig config, Map<String, ResourceID> members) {
    }
}
