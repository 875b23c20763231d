package dev.sonde.api.agent;

import dev.sonde.api.v1alpha1.ExternalPeerGroup;
import dev.sonde.api.v1alpha1.FlowAggregation;
import dev.sonde.api.v1alpha1.FlowsProbeParameters;
import dev.sonde.api.v1alpha1.PeerVisibility;
import java.util.List;
import java.util.Objects;

/**
 * The flows probe's parameters with defaults filled in.
 *
 * @param aggregation how pod peers are named
 * @param maxPeersPerPod the kernel's flow budget of each selected pod
 * @param externalGroups named ranges for peers outside the cluster
 * @param crossNamespacePeers what an untrusted monitor sees of peers in other namespaces
 * @param trusted the monitor is in a namespace the operator trusts: it sees every peer in full
 */
public record CompiledFlows(FlowAggregation aggregation, int maxPeersPerPod, List<ExternalPeerGroup> externalGroups,
        PeerVisibility crossNamespacePeers, boolean trusted) {

    public static final CompiledFlows DEFAULTS = new CompiledFlows(FlowAggregation.WORKLOAD,
            FlowsProbeParameters.DEFAULT_MAX_PEERS_PER_POD, List.of(), PeerVisibility.WORKLOAD, false);

    public CompiledFlows {
        Objects.requireNonNull(aggregation, "aggregation");
        Objects.requireNonNull(crossNamespacePeers, "crossNamespacePeers");
        externalGroups = externalGroups == null ? List.of() : List.copyOf(externalGroups);
        if (maxPeersPerPod < 1) {
            throw new IllegalArgumentException("maxPeersPerPod must be at least 1: " + maxPeersPerPod);
        }
    }

    /** Resolves a ProbeProfile's flows parameters (null: all defaults), for an untrusted monitor. */
    public static CompiledFlows from(FlowsProbeParameters p) {
        if (p == null) {
            return DEFAULTS;
        }
        return new CompiledFlows(p.getAggregation() == null ? DEFAULTS.aggregation() : p.getAggregation(),
                p.getMaxPeersPerPod() == null ? DEFAULTS.maxPeersPerPod() : p.getMaxPeersPerPod(),
                p.getExternalGroups(),
                p.getCrossNamespacePeers() == null ? DEFAULTS.crossNamespacePeers() : p.getCrossNamespacePeers(), false);
    }

    /** The same parameters for a monitor in a trusted namespace (or not). */
    public CompiledFlows withTrusted(boolean isTrusted) {
        return new CompiledFlows(aggregation, maxPeersPerPod, externalGroups, crossNamespacePeers, isTrusted);
    }
}
