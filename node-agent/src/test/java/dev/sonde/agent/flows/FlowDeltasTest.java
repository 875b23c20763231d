package dev.sonde.agent.flows;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonde.agent.probe.CgroupId;
import dev.sonde.agent.probe.FlowCounters;
import dev.sonde.agent.probe.FlowKey;
import dev.sonde.agent.probe.FlowTable;
import dev.sonde.agent.probe.KernelHistogram;
import java.net.InetAddress;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FlowDeltasTest {
    private static final CgroupId POD = new CgroupId(9);

    private static FlowCounters bytes(long sent) {
        return new FlowCounters(1, 0, 0, 0, 0, sent, 0, KernelHistogram.EMPTY);
    }

    @Test
    void deltasBetweenReadsAndIdleFlowsAfterTwentyUnchangedReads() throws Exception {
        FlowKey k = new FlowKey(POD, InetAddress.getByName("10.1.2.3"), null, 443, 0, FlowKey.Direction.ACTIVE,
                FlowKey.Transport.TCP);
        FlowDeltas d = new FlowDeltas();
        FlowTable.Budget budget = new FlowTable.Budget(64, 1, 0);
        assertThat(d.next(new FlowTable.Reading(Map.of(k, bytes(100)), Map.of(POD, budget))).flows())
                .containsEntry(k, bytes(100));
        FlowDeltas.Interval second = d.next(new FlowTable.Reading(Map.of(k, bytes(250)),
                Map.of(POD, new FlowTable.Budget(64, 1, 4))));
        assertThat(second.flows().get(k).bytesSent()).isEqualTo(150);
        assertThat(second.flows().get(k).connections()).isZero();
        assertThat(second.refused()).containsEntry(POD, 4L);
        FlowDeltas.Interval idle = null;
        for (int i = 0; i < FlowDeltas.IDLE_READS; i++) {
            idle = d.next(new FlowTable.Reading(Map.of(k, bytes(250)), Map.of(POD, new FlowTable.Budget(64, 1, 4))));
            assertThat(idle.flows()).isEmpty();
            assertThat(idle.refused()).isEmpty();
        }
        assertThat(idle.idle()).containsExactly(k);
        d.forget(idle.idle());
        // deleted from the kernel and back: counts from zero again
        assertThat(d.next(new FlowTable.Reading(Map.of(k, bytes(30)), Map.of())).flows().get(k).bytesSent())
                .isEqualTo(30);
    }
}
