package dev.sonde.api.agent;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * One active (not paused) NetworkMonitor, resolved against its ProbeProfile and namespaces.
 *
 * @param namespace the monitor's namespace
 * @param name the monitor's name
 * @param uid the monitor's metadata.uid
 * @param index the monitor's number in this config, from 0; stable while the monitor exists
 * @param profile name of the ProbeProfile it was compiled from, for messages
 * @param intervalMillis aggregation and report interval in milliseconds
 * @param probes the profile's probes with resolved parameters, sorted by name
 * @param namespaces namespaces whose pods may be selected: the monitor's own, or those its namespaceSelector
 *     matched; sorted
 * @param podSelector pods to select within those namespaces
 * @param nodeSelector nodes on which to select pods
 * @param export where the metrics go
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CompiledMonitor(
        String namespace,
        String name,
        String uid,
        int index,
        String profile,
        long intervalMillis,
        List<CompiledProbe> probes,
        List<String> namespaces,
        CompiledSelector podSelector,
        CompiledSelector nodeSelector,
        CompiledExport export) {

    public CompiledMonitor {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(uid, "uid");
        if (index < 0) {
            throw new IllegalArgumentException("index must not be negative: " + index);
        }
        if (intervalMillis <= 0) {
            throw new IllegalArgumentException("intervalMillis must be positive: " + intervalMillis);
        }
        probes = probes == null ? List.of()
                : probes.stream().sorted(Comparator.comparing(p -> p.name().wireName())).toList();
        if (probes.stream().map(CompiledProbe::name).distinct().count() != probes.size()) {
            throw new IllegalArgumentException("duplicate probe in " + probes);
        }
        namespaces = namespaces == null ? List.of(namespace) : namespaces.stream().distinct().sorted().toList();
        podSelector = podSelector == null ? CompiledSelector.EVERYTHING : podSelector;
        nodeSelector = nodeSelector == null ? CompiledSelector.EVERYTHING : nodeSelector;
        export = export == null ? CompiledExport.PROMETHEUS_ONLY : export;
    }

    /**
     * The monitor's bit in the kernel selection bitmask. The kernel only asks whether a cgroup's mask is non-zero;
     * which monitor a count belongs to is worked out by the agent from the cgroups each monitor selects, so indexes
     * beyond 63 share bits without harm and the number of monitors is not limited to 64.
     */
    public long bit() {
        return 1L << (index % Long.SIZE);
    }
}
