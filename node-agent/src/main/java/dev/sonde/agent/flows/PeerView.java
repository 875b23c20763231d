package dev.sonde.agent.flows;

import dev.sonde.agent.probe.FlowKey;
import dev.sonde.api.agent.CompiledFlows;
import dev.sonde.api.v1alpha1.FlowAggregation;
import dev.sonde.api.v1alpha1.PeerVisibility;

/**
 * What one monitor may see of its pods' peers (ARCHITECTURE.md, "Contract: flows"): Services by name; pods in the
 * monitor's own namespace in full (by pod with aggregation {@code pod}, else by workload); pods of other namespaces
 * only as far as the profile's {@code crossNamespacePeers} allows, unless the monitor is trusted; nodes by name;
 * anything else by its external group. Addresses never appear.
 */
public final class PeerView {

    private final String monitorNamespace;
    private final CompiledFlows flows;
    private final CidrGroups groups;

    public PeerView(String monitorNamespace, CompiledFlows flows) {
        this.monitorNamespace = monitorNamespace;
        this.flows = flows;
        this.groups = CidrGroups.of(flows.externalGroups());
    }

    /**
     * @param peer who the flow's peer address is
     * @param backend who the DNAT backend is (for a Service), or null
     */
    public Peer of(FlowKey key, PeerIdentity peer, PeerIdentity backend) {
        int port = key.port();
        return switch (peer.kind()) {
            case SERVICE -> {
                String backendName = backend == null ? null : podName(backend);
                if (backendName == null && backend != null) {
                    backendName = workloadName(backend);
                }
                yield new Peer(PeerIdentity.Kind.SERVICE, peer.namespace(), peer.name(), null, null, backendName,
                        backend == null ? null : backend.zone(), port, key.transport(), key.direction());
            }
            case POD -> new Peer(PeerIdentity.Kind.POD, peer.namespace(), podName(peer),
                    workloadVisible(peer) ? peer.workloadKind() : null, workloadName(peer), null, peer.zone(), port,
                    key.transport(), key.direction());
            case NODE -> new Peer(PeerIdentity.Kind.NODE, null, peer.name(), null, null, null, peer.zone(), port,
                    key.transport(), key.direction());
            case EXTERNAL -> new Peer(PeerIdentity.Kind.EXTERNAL, null, groups.groupOf(key.peer()), null, null, null,
                    null, port, key.transport(), key.direction());
        };
    }

    private boolean seesInFull(PeerIdentity p) {
        return flows.trusted() || monitorNamespace.equals(p.namespace());
    }

    private boolean workloadVisible(PeerIdentity p) {
        if (p.kind() != PeerIdentity.Kind.POD || seesInFull(p)) {
            return p.kind() == PeerIdentity.Kind.POD;
        }
        // a pod without an owner is its own workload: its name is a pod name
        PeerVisibility needed = "Pod".equals(p.workloadKind()) ? PeerVisibility.POD : PeerVisibility.WORKLOAD;
        return flows.crossNamespacePeers().compareTo(needed) >= 0;
    }

    private String workloadName(PeerIdentity p) {
        return workloadVisible(p) ? p.workloadName() : null;
    }

    /** The pod's name when the monitor aggregates by pod and may see it. */
    private String podName(PeerIdentity p) {
        if (p.kind() != PeerIdentity.Kind.POD || flows.aggregation() != FlowAggregation.POD) {
            return null;
        }
        return seesInFull(p) || flows.crossNamespacePeers() == PeerVisibility.POD ? p.name() : null;
    }
}
