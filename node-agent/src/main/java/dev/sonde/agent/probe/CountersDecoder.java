package dev.sonde.agent.probe;

import dev.sonde.agent.bpf.BpfMap;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/** Folds a snapshot of the per-CPU metrics map into one {@link ProbeCounters} per cgroup. */
final class CountersDecoder {
    private final Map<Long, Acc> byCgroup = new HashMap<>();

    void add(BpfMap.Snapshot snapshot, int perCpuSlot) {
        for (int i = 0; i < snapshot.count(); i++) {
            ByteBuffer k = snapshot.key(i);
            long cgroup = k.getLong(KernelAbi.METRIC_KEY_CGROUP_ID);
            int metric = k.getInt(KernelAbi.METRIC_KEY_METRIC);
            int sub = k.getInt(KernelAbi.METRIC_KEY_SUB);
            ByteBuffer v = snapshot.value(i);
            long count = sumPerCpu(v, perCpuSlot, KernelAbi.METRIC_VALUE_SIZE, KernelAbi.METRIC_VALUE_COUNT);
            long sum = sumPerCpu(v, perCpuSlot, KernelAbi.METRIC_VALUE_SIZE, KernelAbi.METRIC_VALUE_SUM);
            byCgroup.computeIfAbsent(cgroup, c -> new Acc()).add(metric, sub, count, sum);
        }
    }

    /** One cgroup's traffic counters, already summed over CPUs, in struct traffic_value order. */
    void addTraffic(long cgroup, long[] t) {
        Acc a = byCgroup.computeIfAbsent(cgroup, c -> new Acc());
        a.txPackets += t[KernelAbi.TRAFFIC_TX_PACKETS];
        a.txWireBytes += t[KernelAbi.TRAFFIC_TX_BYTES];
        a.rxPackets += t[KernelAbi.TRAFFIC_RX_PACKETS];
        a.rxWireBytes += t[KernelAbi.TRAFFIC_RX_BYTES];
        a.txBytes += t[KernelAbi.TRAFFIC_TX_APP_BYTES];
        a.rxBytes += t[KernelAbi.TRAFFIC_RX_APP_BYTES];
        a.tcpSegmentsSent += t[KernelAbi.TRAFFIC_TCP_SEGS_OUT];
    }

    /** Sums a per-CPU struct traffic_value. */
    static long[] sumTraffic(ByteBuffer perCpu, int slot) {
        long[] t = new long[KernelAbi.TRAFFIC_VALUE_FIELDS.length];
        for (int f = 0; f < t.length; f++) {
            t[f] = sumPerCpu(perCpu, slot, KernelAbi.TRAFFIC_VALUE_SIZE, 8 * f);
        }
        return t;
    }

    /**
     * The sum over CPUs of the u64 at {@code offset} of a per-CPU value: one slot of {@code slot} bytes per possible
     * CPU, each holding a value of {@code valueSize} bytes. The one place per-CPU values are added up.
     */
    static long sumPerCpu(ByteBuffer perCpu, int slot, int valueSize, int offset) {
        long total = 0;
        for (int off = 0; off + valueSize <= perCpu.limit(); off += slot) {
            total += perCpu.getLong(off + offset);
        }
        return total;
    }

    void addUnanswered(long cgroup, long n) {
        byCgroup.computeIfAbsent(cgroup, c -> new Acc()).dnsUnanswered += n;
    }

    Map<CgroupId, ProbeCounters> result() {
        Map<CgroupId, ProbeCounters> out = new HashMap<>();
        byCgroup.forEach((cg, acc) -> out.put(new CgroupId(cg), acc.build()));
        return out;
    }

    private static final class Acc {
        long activeOpens, passiveOpens, closes, connectFailures, retransmitSegments, resetsSent, resetsReceived;
        long tcpSegmentsSent;
        long txBytes, txPackets, rxBytes, rxPackets, txWireBytes, rxWireBytes, dnsQueries, dnsUnanswered;
        final long[] connectLatency = new long[KernelAbi.HIST_BUCKETS];
        final long[] rtt = new long[KernelAbi.HIST_BUCKETS];
        final long[] dnsLatency = new long[KernelAbi.HIST_BUCKETS];
        long connectLatencySum, rttSum, dnsLatencySum;
        final Map<Integer, Long> drops = new HashMap<>();
        final Map<Integer, Long> rcodes = new HashMap<>();

        void add(int metric, int sub, long count, long sum) {
            switch (metric) {
                case KernelAbi.TCP_ACTIVE_OPENS -> activeOpens += count;
                case KernelAbi.TCP_PASSIVE_OPENS -> passiveOpens += count;
                case KernelAbi.TCP_CLOSES -> closes += count;
                case KernelAbi.TCP_CONNECT_FAILURES -> connectFailures += count;
                case KernelAbi.TCP_CONNECT_LATENCY -> { connectLatency[bucket(sub)] += count; connectLatencySum += sum; }
                case KernelAbi.TCP_RETRANSMITS -> retransmitSegments += sum;
                case KernelAbi.TCP_RESETS_SENT -> resetsSent += count;
                case KernelAbi.TCP_RESETS_RECEIVED -> resetsReceived += count;
                case KernelAbi.TCP_RTT -> { rtt[bucket(sub)] += count; rttSum += sum; }
                case KernelAbi.DROPS -> drops.merge(sub, count, Long::sum);
                case KernelAbi.DNS_QUERIES -> dnsQueries += count;
                case KernelAbi.DNS_RESPONSES -> rcodes.merge(sub, count, Long::sum);
                case KernelAbi.DNS_LATENCY -> { dnsLatency[bucket(sub)] += count; dnsLatencySum += sum; }
                default -> { } // a newer object's metric this agent doesn't know: ignore
            }
        }

        private static int bucket(int sub) {
            return Math.min(Math.max(sub, 0), KernelAbi.HIST_BUCKETS - 1);
        }

        ProbeCounters build() {
            return new ProbeCounters(activeOpens, passiveOpens, closes, connectFailures,
                    new KernelHistogram(connectLatency, connectLatencySum), retransmitSegments, tcpSegmentsSent,
                    resetsSent, resetsReceived, new KernelHistogram(rtt, rttSum), txBytes, txPackets, txWireBytes,
                    rxBytes, rxPackets, rxWireBytes, drops, dnsQueries, rcodes,
                    new KernelHistogram(dnsLatency, dnsLatencySum), dnsUnanswered);
        }
    }
}
