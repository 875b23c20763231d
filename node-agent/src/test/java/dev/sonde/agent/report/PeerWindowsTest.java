package dev.sonde.agent.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonde.agent.flows.Peer;
import dev.sonde.agent.flows.PeerIdentity;
import dev.sonde.agent.probe.FlowCounters;
import dev.sonde.agent.probe.FlowKey;
import dev.sonde.agent.probe.KernelHistogram;
import dev.sonde.api.v1alpha1.PeerWindow;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PeerWindowsTest {
    private static Peer service(String name) {
        return new Peer(PeerIdentity.Kind.SERVICE, "shop", name, null, null, name + "-0", null, 8080,
                FlowKey.Transport.TCP, FlowKey.Direction.ACTIVE);
    }

    @Test
    void failedConnectsFirstThenRetransmitsThenBusiestBoundedTo20() {
        Map<Peer, FlowCounters> peers = new HashMap<>();
        peers.put(service("busy"), new FlowCounters(900, 0, 0, 0, 0, 10, 10, KernelHistogram.EMPTY));
        peers.put(service("lossy"), new FlowCounters(10, 0, 0, 0, 7, 10, 10, KernelHistogram.EMPTY));
        peers.put(service("failing"), new FlowCounters(20, 5, 0, 5, 0, 0, 0, KernelHistogram.EMPTY));
        peers.put(service("idle"), FlowCounters.ZERO);
        for (int i = 0; i < 30; i++) {
            peers.put(service("other-" + i), new FlowCounters(1, 0, 0, 0, 0, 1, 1, KernelHistogram.EMPTY));
        }

        List<PeerWindow> top = PeerWindows.top(peers);

        assertThat(top).hasSize(PeerWindows.MAX_PEERS);
        assertThat(top).extracting(PeerWindow::getName).startsWith("failing", "lossy", "busy")
                .doesNotContain("idle");
        assertThat(top.get(0).getConnectFailureRatio()).isEqualTo(0.25);
        assertThat(top.get(0).getBackend()).isEqualTo("failing-0");
        assertThat(top.get(0).getProtocol()).isEqualTo("tcp");
        assertThat(top.get(0).getDirection()).isEqualTo("active");
    }
}
