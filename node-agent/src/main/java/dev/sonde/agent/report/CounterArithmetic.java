package dev.sonde.agent.report;

import dev.sonde.agent.probe.Log2Histogram;
import dev.sonde.agent.probe.ProbeCounters;
import java.util.HashMap;
import java.util.Map;

/** Adds and subtracts {@link ProbeCounters} field by field, histograms bucket by bucket. */
public final class CounterArithmetic {

    private CounterArithmetic() {
    }

    public static ProbeCounters plus(ProbeCounters a, ProbeCounters b) {
        return combine(a, b, 1);
    }

    public static ProbeCounters minus(ProbeCounters a, ProbeCounters b) {
        return combine(a, b, -1);
    }

    private static ProbeCounters combine(ProbeCounters a, ProbeCounters b, long sign) {
        return new ProbeCounters(
                a.activeOpens() + sign * b.activeOpens(), a.passiveOpens() + sign * b.passiveOpens(),
                a.closes() + sign * b.closes(), a.connectFailures() + sign * b.connectFailures(),
                combine(a.connectLatency(), b.connectLatency(), sign),
                a.retransmitSegments() + sign * b.retransmitSegments(),
                a.tcpSegmentsSent() + sign * b.tcpSegmentsSent(),
                a.resetsSent() + sign * b.resetsSent(), a.resetsReceived() + sign * b.resetsReceived(),
                combine(a.rtt(), b.rtt(), sign),
                a.txBytes() + sign * b.txBytes(), a.txPackets() + sign * b.txPackets(),
                a.txWireBytes() + sign * b.txWireBytes(),
                a.rxBytes() + sign * b.rxBytes(), a.rxPackets() + sign * b.rxPackets(),
                a.rxWireBytes() + sign * b.rxWireBytes(),
                combine(a.dropsByReason(), b.dropsByReason(), sign),
                a.dnsQueries() + sign * b.dnsQueries(),
                combine(a.dnsResponsesByRcode(), b.dnsResponsesByRcode(), sign),
                combine(a.dnsLatency(), b.dnsLatency(), sign), a.dnsUnanswered() + sign * b.dnsUnanswered());
    }

    private static Log2Histogram combine(Log2Histogram a, Log2Histogram b, long sign) {
        long[] counts = a.counts();
        for (int i = 0; i < counts.length; i++) {
            counts[i] += sign * b.count(i);
        }
        return new Log2Histogram(counts, a.sumMicros() + sign * b.sumMicros());
    }

    private static Map<Integer, Long> combine(Map<Integer, Long> a, Map<Integer, Long> b, long sign) {
        Map<Integer, Long> result = new HashMap<>(a);
        b.forEach((key, value) -> result.merge(key, sign * value, Long::sum));
        result.values().removeIf(v -> v == 0);
        return result;
    }
}
