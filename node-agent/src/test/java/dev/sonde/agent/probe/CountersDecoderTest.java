package dev.sonde.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonde.agent.bpf.BpfMap;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Folding per-CPU metric entries into ProbeCounters, with a hand-built map snapshot. */
class CountersDecoderTest {
    private static final int CPUS = 3;
    private static final int SLOT = 16;

    @Test
    void sumsCpusAndRoutesEveryMetric() {
        ByteBuffer keys = ByteBuffer.allocate(8 * 16).order(ByteOrder.nativeOrder());
        ByteBuffer values = ByteBuffer.allocate(8 * CPUS * SLOT).order(ByteOrder.nativeOrder());
        entry(keys, values, 42, KernelAbi.TCP_ACTIVE_OPENS, 0, new long[] {1, 2, 3}, new long[] {0, 0, 0});
        entry(keys, values, 42, KernelAbi.TCP_CONNECT_LATENCY, 5, new long[] {1, 0, 1}, new long[] {20, 0, 30});
        entry(keys, values, 42, KernelAbi.TCP_CLOSES, 0, new long[] {0, 1, 0}, new long[] {0, 0, 0});
        entry(keys, values, 42, KernelAbi.DNS_QUERIES, 0, new long[] {1, 1, 1}, new long[] {0, 0, 0});
        entry(keys, values, 42, KernelAbi.TCP_RETRANSMITS, 0, new long[] {1, 1, 0}, new long[] {3, 1, 0});
        entry(keys, values, 42, KernelAbi.DNS_RESPONSES, 3, new long[] {0, 4, 0}, new long[] {0, 0, 0});
        entry(keys, values, 0, KernelAbi.DROPS, 12, new long[] {0, 0, 7}, new long[] {0, 0, 0});
        entry(keys, values, 42, 999, 0, new long[] {5, 5, 5}, new long[] {0, 0, 0}); // unknown metric: ignored

        CountersDecoder d = new CountersDecoder();
        d.add(new BpfMap.Snapshot(8, 16, CPUS * SLOT, keys.array(), values.array()), SLOT);
        d.addUnanswered(42, 2);
        ByteBuffer traffic = ByteBuffer.allocate(2 * KernelAbi.TRAFFIC_VALUE_SIZE).order(ByteOrder.nativeOrder());
        for (long cpu = 1; cpu <= 2; cpu++) {
            traffic.putLong(5 * cpu).putLong(7000 * cpu).putLong(1).putLong(52).putLong(1).putLong(6500 * cpu).putLong(0).putLong(0).putLong(4 * cpu);
        }
        d.addTraffic(42, CountersDecoder.sumTraffic(traffic, KernelAbi.TRAFFIC_VALUE_SIZE));
        Map<CgroupId, ProbeCounters> out = d.result();

        ProbeCounters c = out.get(new CgroupId(42));
        assertThat(c.activeOpens()).isEqualTo(6);
        assertThat(c.connectLatency().count(5)).isEqualTo(2);
        assertThat(c.connectLatency().sumMicros()).isEqualTo(50);
        assertThat(c.closes()).isEqualTo(1);
        assertThat(c.dnsQueries()).isEqualTo(3);
        assertThat(c.txPackets()).isEqualTo(15);
        assertThat(c.txWireBytes()).isEqualTo(21_000);
        assertThat(c.txBytes()).isEqualTo(19_500);
        assertThat(c.rxPackets()).isEqualTo(2);
        assertThat(c.rxWireBytes()).isEqualTo(104);
        assertThat(c.retransmitSegments()).as("segments, not skbs").isEqualTo(4);
        assertThat(c.tcpSegmentsSent()).isEqualTo(12);
        assertThat(c.outSegments()).as("TCP segments sent less retransmissions").isEqualTo(8);
        assertThat(c.dnsResponses(ProbeCounters.RCODE_NXDOMAIN)).isEqualTo(4);
        assertThat(c.dnsUnanswered()).isEqualTo(2);
        assertThat(out.get(CgroupId.NODE).dropsByReason()).containsEntry(12, 7L);
    }

    private static void entry(ByteBuffer keys, ByteBuffer values, long cgroup, int metric, int sub, long[] counts, long[] sums) {
        keys.putLong(cgroup).putInt(metric).putInt(sub);
        for (int cpu = 0; cpu < CPUS; cpu++) {
            values.putLong(counts[cpu]).putLong(sums[cpu]);
        }
    }
}
