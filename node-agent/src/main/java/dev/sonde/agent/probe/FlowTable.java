package dev.sonde.agent.probe;

import dev.sonde.agent.bpf.BpfMap;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The flows probe's kernel maps: the per-pod flow budgets (whose entries are the flows selection), and the flows
 * themselves, read as cumulative counters and deleted when they go idle. Not thread-safe: {@link KernelProbes}
 * serialises.
 */
public final class FlowTable {

    /** A pod's flow budget as the kernel holds it: its limit, the flows it has, what it refused at the limit. */
    public record Budget(long limit, long used, long refused) {
    }

    /** One read: every flow's cumulative counters, and every flows-selected pod's budget. */
    public record Reading(Map<FlowKey, FlowCounters> flows, Map<CgroupId, Budget> budgets) {
    }

    private final BpfMap flows;
    private final BpfMap budgets;
    private final int perCpuSlot;

    FlowTable(BpfMap flows, BpfMap budgets) {
        this.flows = flows;
        this.budgets = budgets;
        this.perCpuSlot = flows.perCpuSlot();
    }

    /** Counts this pod's flows from now on, at most {@code maxFlows} at a time; keeps what it already counted. */
    void select(CgroupId cgroup, int maxFlows) {
        byte[] key = BpfMap.u64(cgroup.id());
        byte[] current = budgets.lookup(key);
        ByteBuffer value = ByteBuffer.allocate(KernelAbi.FLOW_BUDGET_SIZE).order(ByteOrder.nativeOrder());
        if (current != null) {
            value.put(current);
        }
        value.putLong(KernelAbi.FLOW_BUDGET_LIMIT, maxFlows);
        budgets.update(key, value.array(), current == null ? BpfMap.UpdateMode.NOEXIST : BpfMap.UpdateMode.EXIST);
    }

    /** Stops counting these pods' flows and deletes them from the kernel, in one pass over the flows map. */
    void unselect(Set<CgroupId> cgroups) {
        Set<Long> ids = new HashSet<>();
        for (CgroupId cgroup : cgroups) {
            budgets.delete(BpfMap.u64(cgroup.id()));
            ids.add(cgroup.id());
        }
        List<byte[]> gone = new ArrayList<>();
        flows.forEach((k, v) -> {
            if (ids.contains(k.getLong(KernelAbi.FLOW_KEY_CGROUP_ID))) {
                byte[] key = new byte[k.remaining()];
                k.get(0, key);
                gone.add(key);
            }
        });
        gone.forEach(flows::delete);
    }

    Reading read() {
        Map<FlowKey, FlowCounters> out = new LinkedHashMap<>();
        flows.forEach((k, v) -> out.put(decodeKey(k), decodeValue(v, perCpuSlot)));
        Map<CgroupId, Budget> bs = new LinkedHashMap<>();
        BpfMap.Snapshot b = budgets.readAll();
        for (int i = 0; i < b.count(); i++) {
            ByteBuffer v = b.value(i);
            bs.put(new CgroupId(b.key(i).getLong(0)), new Budget(v.getLong(KernelAbi.FLOW_BUDGET_LIMIT),
                    v.getLong(KernelAbi.FLOW_BUDGET_USED), v.getLong(KernelAbi.FLOW_BUDGET_REFUSED)));
        }
        return new Reading(out, bs);
    }

    /**
     * Deletes idle flows (their last counts are what the agent read last) and gives their pods' budgets back what
     * was deleted: each budget's used count goes down by its pod's flows deleted here, so no pass over the whole
     * flows map is needed. An event between the agent's last read and this delete is lost; the next event of the
     * flow starts it again from zero. Flows the kernel creates between this method's lookup and update of a
     * budget (microseconds) are not counted in used: the pod may hold that many more than its limit until they
     * expire. The memory bound is the flows map's size, which holds regardless.
     */
    void expire(Collection<FlowKey> idle) {
        Map<Long, Long> deleted = new HashMap<>();
        for (FlowKey k : idle) {
            if (flows.delete(encodeKey(k))) {
                deleted.merge(k.cgroup().id(), 1L, Long::sum);
            }
        }
        deleted.forEach((cgroup, count) -> {
            byte[] key = BpfMap.u64(cgroup);
            byte[] current = budgets.lookup(key);
            if (current == null) {
                return; // unselected meanwhile: its budget and flows are gone
            }
            ByteBuffer v = ByteBuffer.wrap(current).order(ByteOrder.nativeOrder());
            v.putLong(KernelAbi.FLOW_BUDGET_USED, Math.max(0, v.getLong(KernelAbi.FLOW_BUDGET_USED) - count));
            budgets.update(key, current, BpfMap.UpdateMode.EXIST); // false: unselected meanwhile, nothing to correct
        });
    }

    static FlowKey decodeKey(ByteBuffer k) {
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
    }

    static byte[] encodeKey(FlowKey key) {
        ByteBuffer k = ByteBuffer.allocate(KernelAbi.FLOW_KEY_SIZE).order(ByteOrder.nativeOrder());
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
        return k.array();
    }

    /** struct flow_value of every CPU, summed. */
    static FlowCounters decodeValue(ByteBuffer v, int slot) {
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
    }

    /** 16 bytes, IPv4 as IPv4-mapped IPv6 (as the kernel keys it). */
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

}
