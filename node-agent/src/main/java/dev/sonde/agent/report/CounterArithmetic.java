package dev.sonde.agent.report;

import dev.sonde.agent.probe.KernelHistogram;
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
