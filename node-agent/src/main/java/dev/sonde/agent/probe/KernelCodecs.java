package dev.sonde.agent.probe;

import dev.sonde.agent.bpf.BpfMap;
import dev.sonde.agent.bpf.MapCodec;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The maps' keys and values (sonde.h's structs, at {@link KernelAbi}'s offsets) as Java types. Per-CPU values are
 * read summed over the CPUs; their codecs are made for their map (its slot size).
 */
final class KernelCodecs {

    /** A cgroup id key (selected_cgroups, traffic, flow_budget). */
    static final MapCodec<CgroupId> CGROUP = MapCodec.of(Long.BYTES, (c, out) -> out.putLong(0, c.id()),
            in -> new CgroupId(in.getLong(0)));

    /** struct dns_port_key: a cgroup and one of its DNS server ports. */
    record DnsPort(CgroupId cgroup, int port) {
    }

    static final MapCodec<DnsPort> DNS_PORT = MapCodec.of(KernelAbi.DNS_PORT_KEY_SIZE, (k, out) -> out
            .putLong(KernelAbi.DNS_PORT_KEY_CGROUP_ID, k.cgroup().id()).putInt(KernelAbi.DNS_PORT_KEY_PORT, k.port()),
            in -> new DnsPort(new CgroupId(in.getLong(KernelAbi.DNS_PORT_KEY_CGROUP_ID)),
                    in.getInt(KernelAbi.DNS_PORT_KEY_PORT)));

    /** struct dns_key: a pending query (transaction id and client port as the kernel has them, network order). */
    record DnsQuery(CgroupId cgroup, short id, short localPort) {
    }

    static final MapCodec<DnsQuery> DNS_QUERY = MapCodec.of(KernelAbi.DNS_KEY_SIZE, (k, out) -> out
            .putLong(KernelAbi.DNS_KEY_CGROUP_ID, k.cgroup().id()).putShort(KernelAbi.DNS_KEY_ID, k.id())
            .putShort(KernelAbi.DNS_KEY_LOCAL_PORT, k.localPort()),
            in -> new DnsQuery(new CgroupId(in.getLong(KernelAbi.DNS_KEY_CGROUP_ID)), in.getShort(KernelAbi.DNS_KEY_ID),
                    in.getShort(KernelAbi.DNS_KEY_LOCAL_PORT)));

    /** struct flow_budget. */
    static final MapCodec<FlowTable.Budget> FLOW_BUDGET = MapCodec.of(KernelAbi.FLOW_BUDGET_SIZE, (b, out) -> out
            .putLong(KernelAbi.FLOW_BUDGET_LIMIT, b.limit()).putLong(KernelAbi.FLOW_BUDGET_USED, b.used())
            .putLong(KernelAbi.FLOW_BUDGET_REFUSED, b.refused()),
            in -> new FlowTable.Budget(in.getLong(KernelAbi.FLOW_BUDGET_LIMIT), in.getLong(KernelAbi.FLOW_BUDGET_USED),
                    in.getLong(KernelAbi.FLOW_BUDGET_REFUSED)));

    /** struct flow_key; addresses are 16 bytes, IPv4 as IPv4-mapped IPv6 (as the kernel keys them). */
    static final MapCodec<FlowKey> FLOW_KEY = MapCodec.of(KernelAbi.FLOW_KEY_SIZE, (key, k) -> {
        k.putLong(KernelAbi.FLOW_KEY_CGROUP_ID, key.cgroup().id());
        k.put(KernelAbi.FLOW_KEY_PEER, sixteen(key.peer()));
        if (key.backend() != null) {
            k.put(KernelAbi.FLOW_KEY_BACKEND, sixteen(key.backend()));
        }
        k.putShort(KernelAbi.FLOW_KEY_PORT, (short) key.port());
        k.putShort(KernelAbi.FLOW_KEY_BACKEND_PORT, (short) key.backendPort());
        k.put(KernelAbi.FLOW_KEY_DIRECTION,
                (byte) (key.direction() == FlowKey.Direction.ACTIVE ? KernelAbi.FLOW_ACTIVE : KernelAbi.FLOW_PASSIVE));
        k.put(KernelAbi.FLOW_KEY_PROTOCOL,
                (byte) (key.transport() == FlowKey.Transport.UDP ? KernelAbi.IPPROTO_UDP : KernelAbi.IPPROTO_TCP));
    }, k -> {
        byte[] peer = new byte[16];
        byte[] backend = new byte[16];
        k.get(KernelAbi.FLOW_KEY_PEER, peer);
        k.get(KernelAbi.FLOW_KEY_BACKEND, backend);
        int port = Short.toUnsignedInt(k.getShort(KernelAbi.FLOW_KEY_PORT));
        int backendPort = Short.toUnsignedInt(k.getShort(KernelAbi.FLOW_KEY_BACKEND_PORT));
        FlowKey.Direction direction = k.get(KernelAbi.FLOW_KEY_DIRECTION) == KernelAbi.FLOW_ACTIVE
                ? FlowKey.Direction.ACTIVE : FlowKey.Direction.PASSIVE;
        FlowKey.Transport transport = k.get(KernelAbi.FLOW_KEY_PROTOCOL) == KernelAbi.IPPROTO_UDP
                ? FlowKey.Transport.UDP : FlowKey.Transport.TCP;
        InetAddress b = isZero(backend) ? null : address(backend);
        return new FlowKey(new CgroupId(k.getLong(KernelAbi.FLOW_KEY_CGROUP_ID)), address(peer), b, port, backendPort,
                direction, transport);
    });

    /** The flows map's per-CPU struct flow_value, summed over the CPUs. */
    static MapCodec<FlowCounters> flowCounters(BpfMap flows) {
        return flowCounters(flows.valueBytes(), flows.perCpuSlot());
    }

    /** struct flow_value in CPU slots of {@code slot} bytes, {@code valueBytes} in all, summed. */
    static MapCodec<FlowCounters> flowCounters(int valueBytes, int slot) {
        return MapCodec.readOnly(valueBytes, v -> {
            long[] c = new long[KernelAbi.FLOW_VALUE_COUNTERS];
            long[] buckets = new long[KernelHistogram.BUCKETS];
            for (int cpu = 0; cpu * slot < v.limit(); cpu++) {
                int base = cpu * slot;
                for (int i = 0; i < c.length; i++) {
                    c[i] += v.getLong(base + 8 * i);
                }
                for (int b = 0; b < KernelAbi.HIST_BUCKETS; b++) {
                    buckets[b] += Integer.toUnsignedLong(v.getInt(base + KernelAbi.FLOW_VALUE_RTT_BUCKETS + 4 * b));
                }
            }
            return new FlowCounters(c[0], c[1], c[2], c[3], c[4], c[5], c[6], new KernelHistogram(buckets, c[7]));
        });
    }

    /** The traffic map's per-CPU struct traffic_value, summed over the CPUs, in its field order. */
    static MapCodec<long[]> trafficCounters(BpfMap traffic) {
        int slot = traffic.perCpuSlot();
        return MapCodec.readOnly(traffic.valueBytes(), v -> CountersDecoder.sumTraffic(v, slot));
    }

    /** A per-CPU __u64 (map_full), summed over the CPUs. */
    static MapCodec<Long> perCpuU64(BpfMap map) {
        int slot = map.perCpuSlot();
        return MapCodec.readOnly(map.valueBytes(), v -> CountersDecoder.sumPerCpu(v, slot, Long.BYTES, 0));
    }

    /** 16 bytes, IPv4 as IPv4-mapped IPv6. */
    static byte[] sixteen(InetAddress a) {
        byte[] raw = a.getAddress();
        if (raw.length == 16) {
            return raw;
        }
        byte[] out = new byte[16];
        out[10] = (byte) 0xff;
        out[11] = (byte) 0xff;
        System.arraycopy(raw, 0, out, 12, 4);
        return out;
    }

    /** An address from 16 bytes; IPv4-mapped ones come back as IPv4 (Inet4Address). */
    static InetAddress address(byte[] sixteen) {
        try {
            return InetAddress.getByAddress(sixteen);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("16 bytes are always an address", e);
        }
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private KernelCodecs() {
    }
}
