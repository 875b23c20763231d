package dev.sonde.operator.fleet;

import dev.sonde.api.agent.AgentConfig;
import dev.sonde.api.agent.CompiledExport;
import dev.sonde.api.agent.CompiledMonitor;
import dev.sonde.api.agent.CompiledProbe;
import dev.sonde.api.agent.CompiledSelector;
import dev.sonde.api.v1alpha1.ExportSpec;
import dev.sonde.api.v1alpha1.NetworkMonitor;
import dev.sonde.api.v1alpha1.ProbeProfile;
import dev.sonde.api.v1alpha1.ProbeSpec;
import dev.sonde.operator.monitor.MonitorResolution;
import dev.sonde.operator.profile.ProfileValidator;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Compiles the active monitors into one AgentConfig. A monitor keeps the index it had in the previous
 * config; new monitors get the lowest free index, oldest first. The index only names the monitor in the agents'
 * reports: the kernel's mask says "selected", so there is no bound on the number of monitors.
 */
public final class AgentConfigCompiler {

    private AgentConfigCompiler() {
    }

    /** One monitor that resolved and is not paused. */
    public record Candidate(NetworkMonitor monitor, MonitorResolution.Accepted resolution) {
    }

    /** The compiled config. */
    public record Compilation(AgentConfig config) {
    }

    public static Compilation compile(List<Candidate> candidates, AgentConfig previous) {
        Map<String, Integer> previousIndex = new HashMap<>();
        if (previous != null) {
            previous.monitors().forEach(m -> previousIndex.put(m.uid(), m.index()));
        }
        Set<Integer> used = new HashSet<>();
        Map<String, Integer> assigned = new HashMap<>();
        for (Candidate candidate : candidates) {
            Integer index = previousIndex.get(uid(candidate));
            if (index != null && used.add(index)) {
                assigned.put(uid(candidate), index);
            }
        }
        List<Candidate> newcomers = candidates.stream()
                .filter(c -> !assigned.containsKey(uid(c)))
                .sorted(Comparator.comparing((Candidate c) -> Optional.ofNullable(
                                c.monitor().getMetadata().getCreationTimestamp()).orElse(""))
                        .thenComparing(c -> c.monitor().getMetadata().getNamespace())
                        .thenComparing(c -> c.monitor().getMetadata().getName()))
                .toList();
        int next = 0;
        for (Candidate candidate : newcomers) {
            while (used.contains(next)) {
                next++;
            }
            used.add(next);
            assigned.put(uid(candidate), next);
        }
        List<CompiledMonitor> monitors = candidates.stream()
                .filter(c -> assigned.containsKey(uid(c)))
                .map(c -> compile(c, assigned.get(uid(c))))
                .toList();
        return new Compilation(AgentConfig.of(monitors));
    }

    static CompiledMonitor compile(Candidate candidate, int index) {
        NetworkMonitor monitor = candidate.monitor();
        ProbeProfile profile = candidate.resolution().profile();
        return new CompiledMonitor(
                monitor.getMetadata().getNamespace(),
                monitor.getMetadata().getName(),
                monitor.getMetadata().getUid(),
                index,
                profile.getMetadata().getName(),
                ProfileValidator.interval(profile.getSpec()).toMillis(),
                profile.getSpec().getProbes().stream()
                        .map(p -> probe(p, candidate.resolution().trusted())).toList(),
                candidate.resolution().namespaces(),
                CompiledSelector.from(monitor.getSpec().getPodSelector()),
                CompiledSelector.from(monitor.getSpec().getNodeSelector()),
                export(monitor.getMetadata().getNamespace(), monitor.getSpec().getExport()));
    }

    /** A profile's probe entry; flows learns whether the monitor may see every peer in full. */
    static CompiledProbe probe(ProbeSpec spec, boolean trusted) {
        CompiledProbe probe = CompiledProbe.from(spec);
        return probe.flows() == null ? probe
                : new CompiledProbe(probe.name(), probe.dnsPorts(), probe.lossDropReasons(),
                        probe.flows().withTrusted(trusted));
    }

    static CompiledExport export(String namespace, ExportSpec export) {
        if (export == null) {
            return CompiledExport.PROMETHEUS_ONLY;
        }
        CompiledExport.Otlp otlp = null;
        if (export.getOtlp() != null && export.getOtlp().getEndpoint() != null) {
            CompiledExport.SecretRef secret = export.getOtlp().getHeadersSecretRef() == null ? null
                    : new CompiledExport.SecretRef(namespace, export.getOtlp().getHeadersSecretRef().getName());
            otlp = new CompiledExport.Otlp(export.getOtlp().getEndpoint(), export.getOtlp().getProtocol(), secret);
        }
        boolean prometheus = export.getPrometheus() == null || export.getPrometheus().getEnabled() == null
                || export.getPrometheus().getEnabled();
        return new CompiledExport(otlp, prometheus);
    }

    private static String uid(Candidate candidate) {
        return candidate.monitor().getMetadata().getUid();
    }
}
