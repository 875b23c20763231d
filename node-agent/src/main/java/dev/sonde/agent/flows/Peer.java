package dev.sonde.agent.flows;

import dev.sonde.agent.probe.FlowKey;

/**
 * A flow's peer as one monitor may see it (after {@link PeerView}): the identity of its metric series and of its
 * entries in reports. Null fields are unknown or withheld.
 *
 * @param kind sonde.peer.kind
 * @param backend for a Service: the backend pod (or its workload) the connections reached
 * @param zone the peer's zone (for a Service, its backend's)
 * @param port the server port (network.peer.port for active flows, the pod's own for passive ones)
 */
public record Peer(PeerIdentity.Kind kind, String namespace, String name, String workloadKind, String workloadName,
        String backend, String zone, int port, FlowKey.Transport transport, FlowKey.Direction direction) {
}
