package dev.sonde.agent.report;

import dev.sonde.agent.flows.Peer;
import dev.sonde.agent.probe.FlowCounters;
import dev.sonde.agent.probe.FlowKey;
import dev.sonde.api.v1alpha1.PeerWindow;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** A monitor's peers over a window as its AgentReport carries them: the ones behind its health first, bounded. */
public final class PeerWindows {

    /** Peers one node reports per monitor and window. */
    public static final int MAX_PEERS = 20;

    /** Failed connects, then retransmits, then resets, then connections, then bytes: most telling first. */
    static final Comparator<Map.Entry<Peer, FlowCounters>> MOST_TELLING = Comparator
            .comparingLong((Map.Entry<Peer, FlowCounters> e) -> e.getValue().connectFailures())
            .thenComparingLong(e -> e.getValue().retransmits())
            .thenComparingLong(e -> e.getValue().resetsSent() + e.getValue().resetsReceived())
            .thenComparingLong(e -> e.getValue().connections())
            .thenComparingLong(e -> e.getValue().bytesSent() + e.getValue().bytesReceived())
            .reversed();

    private PeerWindows() {
    }

    public static List<PeerWindow> top(Map<Peer, FlowCounters> peers) {
        return peers.entrySet().stream().filter(e -> !e.getValue().isZero()).sorted(MOST_TELLING).limit(MAX_PEERS)
                .map(e -> toApi(e.getKey(), e.getValue())).toList();
    }

    static PeerWindow toApi(Peer p, FlowCounters c) {
        PeerWindow w = new PeerWindow();
        w.setKind(p.kind().wireName());
        w.setNamespace(p.namespace());
        w.setName(p.name());
        w.setWorkloadKind(p.workloadKind());
        w.setWorkloadName(p.workloadName());
        w.setBackend(p.backend());
        w.setZone(p.zone());
        w.setPort(p.port());
        w.setProtocol(p.transport() == FlowKey.Transport.TCP ? "tcp" : "udp");
        w.setDirection(p.direction() == FlowKey.Direction.ACTIVE ? "active" : "passive");
        w.setConnections(c.connections());
        w.setConnectFailures(c.connectFailures());
        if (c.connections() > 0) {
            w.setConnectFailureRatio((double) c.connectFailures() / c.connections());
        }
        w.setRetransmits(c.retransmits());
        w.setResetsSent(c.resetsSent());
        w.setResetsReceived(c.resetsReceived());
        w.setBytesSent(c.bytesSent());
        w.setBytesReceived(c.bytesReceived());
        return w;
    }
}
