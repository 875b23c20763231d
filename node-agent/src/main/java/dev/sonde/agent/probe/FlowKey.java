package dev.sonde.agent.probe;

import java.net.InetAddress;
import java.util.Objects;

/**
 * One flow as the kernel keys it (struct flow_key): a selected pod, a peer address and the server port.
 *
 * @param cgroup the selected pod's cgroup
 * @param peer the peer's address as the pod's socket saw it (for a Service, its ClusterIP)
 * @param backend where a connection to a virtual IP was DNATed to; null when it wasn't
 * @param port the server port: the peer's when {@code direction} is ACTIVE, the pod's own when PASSIVE
 * @param backendPort the backend's port; 0 without a backend
 */
public record FlowKey(CgroupId cgroup, InetAddress peer, InetAddress backend, int port, int backendPort,
        Direction direction, Transport transport) {

    /** Which side of the flow the selected pod is (enum sonde_flow_direction). */
    public enum Direction {
        /** the pod connected (or sent from an ephemeral UDP port): the peer is the server */
        ACTIVE,
        /** the peer connected to the pod (or the pod served a UDP port) */
        PASSIVE
    }

    /** network.transport */
    public enum Transport {
        TCP, UDP
    }

    public FlowKey {
        Objects.requireNonNull(cgroup, "cgroup");
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(transport, "transport");
    }
}
