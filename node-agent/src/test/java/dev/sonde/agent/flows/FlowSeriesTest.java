package dev.sonde.agent.flows;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonde.agent.pods.NodePod;
import dev.sonde.agent.pods.PodCgroupResolver.QosClass;
import dev.sonde.agent.probe.FlowCounters;
import dev.sonde.agent.probe.FlowKey;
import dev.sonde.agent.probe.KernelHistogram;
import dev.sonde.api.agent.CompiledMonitor;
import dev.sonde.api.agent.CompiledProbe;
import dev.sonde.api.v1alpha1.ProbeName;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FlowSeriesTest {
    private static final CompiledMonitor MONITOR = new CompiledMonitor("shop", "m", "uid-m", 0, "flows", 15000,
            List.of(CompiledProbe.of(ProbeName.FLOWS)), null, null, null, null);
    private static final NodePod POD = new NodePod("shop", "web-1", "uid-1", Map.of(), QosClass.BEST_EFFORT, false);
    private static final FlowSeries.Owner OWNER = new FlowSeries.Owner("uid-m", "uid-1");

    private static Peer peer(int port) {
        return new Peer(PeerIdentity.Kind.EXTERNAL, null, "external", null, null, null, null, port,
                FlowKey.Transport.TCP, FlowKey.Direction.ACTIVE);
    }

    private static FlowCounters conns(long n) {
        return new FlowCounters(n, 0, 0, 0, 0, 0, 0, KernelHistogram.EMPTY);
    }

    @Test
    void cumulativePerPeerBoundedAndIdleSeriesEnd() {
        FlowSeries s = new FlowSeries(2);
        s.add(MONITOR, POD, Map.of(peer(1), conns(3), peer(2), conns(1)), 10);
        s.add(MONITOR, POD, Map.of(peer(3), conns(1)), 10);
        s.endInterval(Set.of(OWNER));
        assertThat(s.size()).isEqualTo(2);
        assertThat(s.refused()).as("a third peer over the limit of 2").isEqualTo(1);
        s.add(MONITOR, POD, Map.of(peer(1), conns(2)), 20);
        s.endInterval(Set.of(OWNER));
        assertThat(s.of("uid-m", "uid-1")).filteredOn(x -> x.peer().port() == 1).singleElement()
                .satisfies(x -> assertThat(x.total().connections()).isEqualTo(5))
                .satisfies(x -> assertThat(x.startEpochNanos()).isEqualTo(10));
        for (int i = 0; i < FlowSeries.IDLE_WINDOWS - 1; i++) {
            s.add(MONITOR, POD, Map.of(peer(1), conns(1)), 30);
            s.endInterval(Set.of(OWNER));
        }
        assertThat(s.of("uid-m", "uid-1")).as("peer 2 idle for 20 intervals: gone").extracting(x -> x.peer().port())
                .containsExactly(1);
        s.endInterval(Set.of());
        assertThat(s.size()).as("the pod is no longer selected").isZero();
    }
}
