package dev.sonde.operator.monitor;

import static dev.sonde.operator.Fixtures.counted;
import static dev.sonde.operator.Fixtures.peer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sonde.api.v1alpha1.MonitorWindow;
import dev.sonde.api.v1alpha1.PeerWindow;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PeerRankingTest {

    private static MonitorWindow node(PeerWindow... peers) {
        MonitorWindow w = new MonitorWindow();
        w.setPeers(List.of(peers));
        return w;
    }

    @Test
    void aPeerSeenOnTwoNodesIsSummedAndItsRatioComputedFromTheSums() {
        PeerWindow a = counted(peer("service", "demo", "inventory", 8080), 100, 3, 7, 1, 1000);
        PeerWindow b = counted(peer("service", "demo", "inventory", 8080), 300, 17, 13, 2, 3000);
        PeerWindow other = counted(peer("service", "demo", "inventory", 9090), 10, 0, 0, 0, 10);

        List<PeerWindow> merged = PeerRanking.merge(List.of(node(a, other), node(b)));

        assertThat(merged).hasSize(2);
        PeerWindow inventory = merged.getFirst();
        assertThat(inventory.getPort()).isEqualTo(8080);
        assertThat(inventory.getConnections()).isEqualTo(400);
        assertThat(inventory.getConnectFailures()).isEqualTo(20);
        assertThat(inventory.getConnectFailureRatio()).isEqualTo(0.05);
        assertThat(inventory.getRetransmits()).isEqualTo(20);
        assertThat(inventory.getResetsSent()).isEqualTo(3);
        assertThat(inventory.getBytesSent()).isEqualTo(4000);
        assertThat(inventory.getBytesReceived()).isEqualTo(4000);
        assertThat(merged.get(1).getConnectFailureRatio()).isEqualTo(0.0);
        assertThat(a.getConnections()).as("the cached report is not changed").isEqualTo(100);
    }

    @Test
    void theSamePeerInTheOtherDirectionOrOverUdpIsAnotherEntry() {
        PeerWindow active = counted(peer("pod", "demo", "web-0", 8080), 5, 0, 0, 0, 1);
        PeerWindow passive = counted(peer("pod", "demo", "web-0", 8080), 5, 0, 0, 0, 1);
        passive.setDirection("passive");
        PeerWindow udp = counted(peer("pod", "demo", "web-0", 8080), 5, 0, 0, 0, 1);
        udp.setProtocol("udp");
        assertThat(PeerRanking.merge(List.of(node(active), node(passive, udp)))).hasSize(3);
    }

    @Test
    void failedConnectsFirstThenRetransmitsResetsConnectionsAndBytes() {
        PeerWindow busiest = counted(peer("pod", "demo", "busiest", 80), 1000, 0, 0, 0, 10);
        PeerWindow resetting = counted(peer("pod", "demo", "resetting", 80), 1, 0, 0, 9, 10);
        PeerWindow retransmitting = counted(peer("pod", "demo", "retransmitting", 80), 1, 0, 50, 0, 10);
        PeerWindow failing = counted(peer("pod", "demo", "failing", 80), 1, 1, 0, 0, 10);
        PeerWindow heavy = counted(peer("pod", "demo", "heavy", 80), 1000, 0, 0, 0, 1_000_000);
        PeerWindow quiet = counted(peer("pod", "demo", "quiet", 80), 1, 0, 0, 0, 1);

        List<PeerWindow> ranked = PeerRanking.merge(List.of(node(quiet, busiest, resetting),
                node(heavy, retransmitting, failing)));

        assertThat(ranked).extracting(PeerWindow::getName)
                .containsExactly("failing", "retransmitting", "resetting", "heavy", "busiest", "quiet");
        assertThat(PeerRanking.top(ranked)).extracting(PeerWindow::getName)
                .containsExactly("failing", "retransmitting", "resetting", "heavy", "busiest");
    }

    @Test
    void equalPeersRankTheSameWhateverTheNodeOrder() {
        List<PeerWindow> peers = new ArrayList<>();
        for (String name : List.of("c", "a", "b")) {
            peers.add(counted(peer("pod", "demo", name, 80), 1, 0, 0, 0, 1));
        }
        List<String> forward = PeerRanking.merge(List.of(node(peers.get(0), peers.get(1)), node(peers.get(2))))
                .stream().map(PeerWindow::getName).toList();
        List<String> backward = PeerRanking.merge(List.of(node(peers.get(2)), node(peers.get(1), peers.get(0))))
                .stream().map(PeerWindow::getName).toList();
        assertThat(forward).isEqualTo(backward).containsExactly("a", "b", "c");
    }

    @Test
    void aPassivePeerHasNoFailureRatioEvenWithAZeroFailureCount() {
        PeerWindow passive = counted(peer("pod", "demo", "client", 8080), 4, 0, 0, 0, 1);
        passive.setDirection("passive");
        assertThat(PeerRanking.merge(List.of(node(passive))).getFirst().getConnectFailureRatio()).isNull();
        assertThat(PeerRanking.merge(List.of(new MonitorWindow()))).isEmpty();
    }
}
