package dev.sonde.agent.probe;

import java.util.HashMap;
import java.util.Map;

/**
 * Everything the kernel counted for one cgroup: cumulative as read, a delta after {@link #minus}, a sum after
 * {@link #plus} (field by field, histograms bucket by bucket). Fields of probes that are not attached stay zero.
 *
 * @param retransmitSegments retransmitted segments (what TcpRetransSegs counts)
 * @param tcpSegmentsSent TCP segments sent, retransmissions included (tcpRetransmits' cgroup_skb egress count)
 * @param txBytes bytes the applications sent on IPv4/IPv6 sockets (sock_send_length)
 * @param txPackets packets (GSO segments, so a 64 KiB TSO send counts as its wire packets)
 * @param txWireBytes IP bytes of those packets, headers and retransmissions included
 * @param rxBytes bytes the applications received (sock_recv_length, MSG_PEEK excluded)
 * @param dropsByReason kernel {@code enum skb_drop_reason} value -> drops
 * @param dnsResponsesByRcode DNS rcode (0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, ...) -> responses
 * @param dnsUnanswered queries without an answer within the configured DNS timeout
 */
public record ProbeCounters(
        long activeOpens, long passiveOpens, long closes, long connectFailures, KernelHistogram connectLatency,
        long retransmitSegments, long tcpSegmentsSent,
        long resetsSent, long resetsReceived,
        KernelHistogram rtt,
        long txBytes, long txPackets, long txWireBytes, long rxBytes, long rxPackets, long rxWireBytes,
        Map<Integer, Long> dropsByReason,
        long dnsQueries, Map<Integer, Long> dnsResponsesByRcode, KernelHistogram dnsLatency, long dnsUnanswered) {

    public static final int RCODE_NOERROR = 0;
    public static final int RCODE_SERVFAIL = 2;
    public static final int RCODE_NXDOMAIN = 3;

    public static final ProbeCounters ZERO = new ProbeCounters(0, 0, 0, 0, KernelHistogram.EMPTY, 0, 0, 0, 0,
            KernelHistogram.EMPTY, 0, 0, 0, 0, 0, 0, Map.of(), 0, Map.of(), KernelHistogram.EMPTY, 0);

    public ProbeCounters {
        dropsByReason = Map.copyOf(dropsByReason);
        dnsResponsesByRcode = Map.copyOf(dnsResponsesByRcode);
    }

    /**
     * TCP segments sent that were not retransmissions: what TcpOutSegs counts, the retransmit ratio's denominator.
     */
    public long outSegments() {
        return Math.max(0, tcpSegmentsSent - retransmitSegments);
    }

    public long drops() {
        return dropsByReason.values().stream().mapToLong(Long::longValue).sum();
    }

    public long dnsResponses(int rcode) {
        return dnsResponsesByRcode.getOrDefault(rcode, 0L);
    }

    public long dnsResponses() {
        return dnsResponsesByRcode.values().stream().mapToLong(Long::longValue).sum();
    }

    public ProbeCounters plus(ProbeCounters b) {
        return combine(b, 1);
    }

    public ProbeCounters minus(ProbeCounters b) {
        return combine(b, -1);
    }

    private ProbeCounters combine(ProbeCounters b, long sign) {
        return new ProbeCounters(
                activeOpens + sign * b.activeOpens, passiveOpens + sign * b.passiveOpens,
                closes + sign * b.closes, connectFailures + sign * b.connectFailures,
                combine(connectLatency, b.connectLatency, sign),
                retransmitSegments + sign * b.retransmitSegments, tcpSegmentsSent + sign * b.tcpSegmentsSent,
                resetsSent + sign * b.resetsSent, resetsReceived + sign * b.resetsReceived,
                combine(rtt, b.rtt, sign),
                txBytes + sign * b.txBytes, txPackets + sign * b.txPackets, txWireBytes + sign * b.txWireBytes,
                rxBytes + sign * b.rxBytes, rxPackets + sign * b.rxPackets, rxWireBytes + sign * b.rxWireBytes,
                combine(dropsByReason, b.dropsByReason, sign),
                dnsQueries + sign * b.dnsQueries,
                combine(dnsResponsesByRcode, b.dnsResponsesByRcode, sign),
                combine(dnsLatency, b.dnsLatency, sign), dnsUnanswered + sign * b.dnsUnanswered);
    }

    private static KernelHistogram combine(KernelHistogram a, KernelHistogram b, long sign) {
        return sign > 0 ? a.plus(b) : a.minus(b);
    }

    private static Map<Integer, Long> combine(Map<Integer, Long> a, Map<Integer, Long> b, long sign) {
        Map<Integer, Long> result = new HashMap<>(a);
        b.forEach((key, value) -> result.merge(key, sign * value, Long::sum));
        result.values().removeIf(v -> v == 0);
        return result;
    }
}
