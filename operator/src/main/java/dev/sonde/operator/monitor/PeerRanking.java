package dev.sonde.operator.monitor;

import dev.sonde.api.v1alpha1.MonitorWindow;
import dev.sonde.api.v1alpha1.PeerWindow;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;

/**
 * Sums the nodes' peer lists of one monitor's window (a peer seen on several nodes is one entry, its counters
 * added) and ranks them: the peers behind the window's health first. Each node lists only its own top peers, so a
 * peer outside a node's list is not counted for that node.
 */
public final class PeerRanking {

    /** How many peers NetworkMonitor.status.peers shows. */
    public static final int STATUS_PEERS = 5;

    /**
     * Most failed connects first, then most retransmits, most resets (sent plus received), most connections and most
     * bytes (sent plus received); the peer's name breaks the remaining ties, so equal input gives an equal status.
     */
    public static final Comparator<PeerWindow> AT_FAULT_FIRST = Comparator
            .comparingLong((PeerWindow p) -> count(p.getConnectFailures())).reversed()
            .thenComparing(Comparator.comparingLong((PeerWindow p) -> count(p.getRetransmits())).reversed())
            .thenComparing(Comparator.comparingLong(PeerRanking::resets).reversed())
            .thenComparing(Comparator.comparingLong((PeerWindow p) -> count(p.getConnections())).reversed())
            .thenComparing(Comparator.comparingLong(PeerRanking::bytes).reversed())
            .thenComparing(PeerRanking::identity);

    private PeerRanking() {
    }

    /** Every peer of the windows, summed across them, ranked {@link #AT_FAULT_FIRST}. The inputs are not changed. */
    public static List<PeerWindow> merge(List<MonitorWindow> windows) {
        // keyed by the fields PeerWindow.samePeer compares, so a hundred nodes' lists merge in linear time
        Map<List<Object>, PeerWindow> sums = new LinkedHashMap<>();
        for (MonitorWindow window : windows) {
            if (window.getPeers() == null) {
                continue;
            }
            for (PeerWindow peer : window.getPeers()) {
                PeerWindow sum = sums.get(key(peer));
                if (sum == null) {
                    sums.put(key(peer), copy(peer));
                } else {
                    add(sum, peer);
                }
            }
        }
        List<PeerWindow> merged = new ArrayList<>(sums.values());
        for (PeerWindow peer : merged) {
            // an inbound connect that failed never reached the pod: passive flows have no failure ratio
            boolean active = !"passive".equals(peer.getDirection());
            peer.setConnectFailureRatio(!active || peer.getConnectFailures() == null || count(peer.getConnections()) == 0
                    ? null : SummaryFormat.ratio((double) peer.getConnectFailures() / peer.getConnections()));
        }
        merged.sort(AT_FAULT_FIRST);
        return merged;
    }

    /** The first {@link #STATUS_PEERS} of a ranked list. */
    public static List<PeerWindow> top(List<PeerWindow> ranked) {
        return List.copyOf(ranked.subList(0, Math.min(STATUS_PEERS, ranked.size())));
    }

    /** The peer with the most of {@code count} (first in rank among equals), or null when none has any. */
    public static PeerWindow most(List<PeerWindow> ranked, ToLongFunction<PeerWindow> count) {
        PeerWindow most = null;
        for (PeerWindow peer : ranked) {
            if (count.applyAsLong(peer) > 0 && (most == null || count.applyAsLong(peer) > count.applyAsLong(most))) {
                most = peer;
            }
        }
        return most;
    }

    static long resets(PeerWindow p) {
        return count(p.getResetsSent()) + count(p.getResetsReceived());
    }

    static long bytes(PeerWindow p) {
        return count(p.getBytesSent()) + count(p.getBytesReceived());
    }

    static long count(Long value) {
        return value == null ? 0 : value;
    }

    /** The identity PeerWindow.samePeer compares, nulls included. */
    private static List<Object> key(PeerWindow p) {
        return Arrays.asList(p.getKind(), p.getNamespace(), p.getName(), p.getWorkloadKind(), p.getWorkloadName(),
                p.getBackend(), p.getZone(), p.getPort(), p.getProtocol(), p.getDirection());
    }

    private static String identity(PeerWindow p) {
        return key(p).stream().map(String::valueOf).collect(Collectors.joining("\u0000"));
    }

    private static PeerWindow copy(PeerWindow peer) {
        PeerWindow c = new PeerWindow();
        c.setKind(peer.getKind());
        c.setNamespace(peer.getNamespace());
        c.setName(peer.getName());
        c.setWorkloadKind(peer.getWorkloadKind());
        c.setWorkloadName(peer.getWorkloadName());
        c.setBackend(peer.getBackend());
        c.setZone(peer.getZone());
        c.setPort(peer.getPort());
        c.setProtocol(peer.getProtocol());
        c.setDirection(peer.getDirection());
        add(c, peer);
        return c;
    }

    private static void add(PeerWindow sum, PeerWindow peer) {
        sum.setConnections(add(sum.getConnections(), peer.getConnections()));
        sum.setConnectFailures(add(sum.getConnectFailures(), peer.getConnectFailures()));
        sum.setRetransmits(add(sum.getRetransmits(), peer.getRetransmits()));
        sum.setResetsSent(add(sum.getResetsSent(), peer.getResetsSent()));
        sum.setResetsReceived(add(sum.getResetsReceived(), peer.getResetsReceived()));
        sum.setBytesSent(add(sum.getBytesSent(), peer.getBytesSent()));
        sum.setBytesReceived(add(sum.getBytesReceived(), peer.getBytesReceived()));
    }

    private static Long add(Long a, Long b) {
        if (b == null) {
            return a;
        }
        return a == null ? b : Long.valueOf(a + b);
    }
}
