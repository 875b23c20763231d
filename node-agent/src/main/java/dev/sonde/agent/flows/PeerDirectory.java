package dev.sonde.agent.flows;

import java.net.InetAddress;

/** Who an address is: a pod, a Service's virtual IP, a node, or something outside the cluster. */
public interface PeerDirectory {

    /** Never null: {@link PeerIdentity#EXTERNAL} when the cluster doesn't know the address. */
    PeerIdentity identify(InetAddress address);

    /** The zone of a node ({@code topology.kubernetes.io/zone}), or null. */
    String zoneOf(String node);
}
