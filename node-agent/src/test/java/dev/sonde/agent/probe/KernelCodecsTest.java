package dev.sonde.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonde.agent.bpf.MapCodec;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** The codecs write the bytes sonde.h's structs have (at KernelAbi's offsets) and read back what they wrote. */
class KernelCodecsTest {

    @Test
    void anIpv4FlowKeyIsKeyedIpv4MappedAndReadBackAsIpv4() throws Exception {
        FlowKey key = new FlowKey(new CgroupId(77), InetAddress.getByName("10.96.0.10"),
                InetAddress.getByName("10.244.0.7"), 8080, 8081, FlowKey.Direction.ACTIVE, FlowKey.Transport.TCP);
        ByteBuffer bytes = write(KernelCodecs.FLOW_KEY, key);

        assertThat(bytes.getLong(KernelAbi.FLOW_KEY_CGROUP_ID)).isEqualTo(77);
        byte[] peer = new byte[16];
        bytes.get(KernelAbi.FLOW_KEY_PEER, peer);
        assertThat(peer).containsExactly(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 96, 0, 10);
        assertThat(Short.toUnsignedInt(bytes.getShort(KernelAbi.FLOW_KEY_PORT))).isEqualTo(8080);
        assertThat(bytes.get(KernelAbi.FLOW_KEY_DIRECTION)).isEqualTo((byte) KernelAbi.FLOW_ACTIVE);
        assertThat(bytes.get(KernelAbi.FLOW_KEY_PROTOCOL)).isEqualTo((byte) KernelAbi.IPPROTO_TCP);
        assertThat(KernelCodecs.FLOW_KEY.read(bytes)).isEqualTo(key);
    }

    @Test
    void aFlowKeyWithoutBackendHasZeroBackendBytesAndComesBackWithoutOne() throws Exception {
        FlowKey key = new FlowKey(new CgroupId(5), InetAddress.getByName("fd00::53"), null, 53, 0,
                FlowKey.Direction.PASSIVE, FlowKey.Transport.UDP);
        ByteBuffer bytes = write(KernelCodecs.FLOW_KEY, key);

        byte[] backend = new byte[16];
        bytes.get(KernelAbi.FLOW_KEY_BACKEND, backend);
        assertThat(backend).containsOnly(0);
        assertThat(KernelCodecs.FLOW_KEY.read(bytes)).isEqualTo(key);
    }

    @Test
    void budgetsDnsKeysAndCgroupsRoundTrip() {
        FlowTable.Budget budget = new FlowTable.Budget(500, 12, 3);
        ByteBuffer b = write(KernelCodecs.FLOW_BUDGET, budget);
        assertThat(b.getLong(KernelAbi.FLOW_BUDGET_USED)).isEqualTo(12);
        assertThat(KernelCodecs.FLOW_BUDGET.read(b)).isEqualTo(budget);

        KernelCodecs.DnsPort port = new KernelCodecs.DnsPort(new CgroupId(9), 5353);
        ByteBuffer p = write(KernelCodecs.DNS_PORT, port);
        assertThat(p.getInt(KernelAbi.DNS_PORT_KEY_PORT)).isEqualTo(5353);
        assertThat(KernelCodecs.DNS_PORT.read(p)).isEqualTo(port);

        KernelCodecs.DnsQuery query = new KernelCodecs.DnsQuery(new CgroupId(9), (short) 0xbeef, (short) 0x3930);
        assertThat(KernelCodecs.DNS_QUERY.read(write(KernelCodecs.DNS_QUERY, query))).isEqualTo(query);
        assertThat(KernelCodecs.CGROUP.read(write(KernelCodecs.CGROUP, new CgroupId(-2)))).isEqualTo(new CgroupId(-2));
    }

    @Test
    void perCpuFlowCountersAreSummedOverTheSlots() {
        int slot = KernelAbi.FLOW_VALUE_SIZE;
        ByteBuffer v = ByteBuffer.allocate(2 * slot).order(ByteOrder.nativeOrder());
        for (int cpu = 0; cpu < 2; cpu++) {
            int base = cpu * slot;
            v.putLong(base, 1 + cpu);                                  // connections
            v.putLong(base + 8 * 4, 10 * (cpu + 1));                   // retransmits
            v.putInt(base + KernelAbi.FLOW_VALUE_RTT_BUCKETS + 4 * 3, 2); // rtt bucket 3
        }
        MapCodec<FlowCounters> codec = KernelCodecs.flowCounters(2 * slot, slot);
        FlowCounters c = codec.read(v);

        assertThat(c.connections()).isEqualTo(3);
        assertThat(c.retransmits()).isEqualTo(30);
        assertThat(c.rtt().count(3)).isEqualTo(4);
        assertThatThrownBy(() -> codec.write(c, ByteBuffer.allocate(2 * slot)))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    private static <T> ByteBuffer write(MapCodec<T> codec, T value) {
        ByteBuffer out = ByteBuffer.allocate(codec.size()).order(ByteOrder.nativeOrder());
        codec.write(value, out);
        return out;
    }
}
