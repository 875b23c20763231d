package dev.sonde.agent.metrics;

import dev.sonde.agent.flows.Peer;
import dev.sonde.agent.probe.FlowKey;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import java.util.HashMap;
import java.util.Map;

/**
 * The attribute sets of each peer's flow points, kept from one interval to the next. A peer's points carry the same
 * attributes every interval, and building a set sorts it, so each peer's five sets are built once while its series
 * live; the series of several pods with the same peer share them. Holds the peers used in the current and the
 * previous interval, so what it holds is bounded by the flow series. One thread.
 */
final class PeerAttributes {

    /**
     * One peer's sets.
     *
     * @param peer the peer's own: connections, failures, retransmits, RTT
     * @param resetsSent {@code peer} with {@code direction=sent}; {@code resetsReceived} likewise
     * @param transmit {@code peer} with {@code network.io.direction=transmit}; {@code receive} likewise
     */
    record Sets(Attributes peer, Attributes resetsSent, Attributes resetsReceived, Attributes transmit,
            Attributes receive) {
    }

    private Map<Peer, Sets> current = new HashMap<>();
    private Map<Peer, Sets> previous = new HashMap<>();

    /** The sets of {@code peer}: kept ones when it was used in this or the previous interval. */
    Sets of(Peer peer) {
        Sets sets = current.get(peer);
        if (sets == null) {
            sets = previous.get(peer);
            if (sets == null) {
                sets = build(peer);
            }
            current.put(peer, sets);
        }
        return sets;
    }

    /** Ends an interval: peers not used in it or the one before are forgotten. */
    void endInterval() {
        previous = current;
        current = new HashMap<>(previous.size() * 4 / 3 + 1);
    }

    /** Peers held. */
    int size() {
        return current.size() + (int) previous.keySet().stream().filter(p -> !current.containsKey(p)).count();
    }

    private static Sets build(Peer peer) {
        Attributes own = own(peer);
        return new Sets(own, with(own, SondeMetrics.DIRECTION, "sent"), with(own, SondeMetrics.DIRECTION, "received"),
                with(own, SondeMetrics.IO_DIRECTION, "transmit"), with(own, SondeMetrics.IO_DIRECTION, "receive"));
    }

    /** The flow attributes of a peer: only what the monitor may see (null fields are left out). */
    private static Attributes own(Peer peer) {
        var b = Attributes.builder().put(SondeMetrics.PEER_KIND, peer.kind().wireName())
                .put(SondeMetrics.FLOW_DIRECTION, peer.direction() == FlowKey.Direction.ACTIVE ? "active" : "passive")
                .put(SondeMetrics.PEER_PORT, (long) peer.port())
                .put(SondeMetrics.TRANSPORT, peer.transport() == FlowKey.Transport.TCP ? "tcp" : "udp");
        putIfPresent(b, SondeMetrics.PEER_NAMESPACE, peer.namespace());
        putIfPresent(b, SondeMetrics.PEER_NAME, peer.name());
        putIfPresent(b, SondeMetrics.PEER_WORKLOAD_KIND, peer.workloadKind());
        putIfPresent(b, SondeMetrics.PEER_WORKLOAD_NAME, peer.workloadName());
        putIfPresent(b, SondeMetrics.PEER_BACKEND, peer.backend());
        putIfPresent(b, SondeMetrics.PEER_ZONE, peer.zone());
        return b.build();
    }

    private static Attributes with(Attributes attributes, AttributeKey<String> key, String value) {
        return attributes.toBuilder().put(key, value).build();
    }

    private static void putIfPresent(AttributesBuilder b, AttributeKey<String> key, String value) {
        if (value != null) {
            b.put(key, value);
        }
    }
}
