package dev.sonde.agent.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonde.agent.probe.CgroupId;
import dev.sonde.agent.probe.KernelHistogram;
import dev.sonde.agent.probe.ProbeCounters;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CounterDeltasTest {

    private static final CgroupId POD = new CgroupId(7);
    private static final CgroupId CONTAINER = new CgroupId(8);

    @Test
    void firstSightCountsInFullThenOnlyTheChange() {
        CounterDeltas deltas = new CounterDeltas();

        assertThat(deltas.next(Map.of(POD, connects(3))).get(POD).activeOpens()).isEqualTo(3);
        assertThat(deltas.next(Map.of(POD, connects(10))).get(POD).activeOpens()).isEqualTo(7);
        assertThat(deltas.next(Map.of(POD, connects(10))).get(POD).activeOpens()).isZero();
    }

    @Test
    void aContainerThatGoesAwayNeverMakesANegativeDelta() {
        CounterDeltas deltas = new CounterDeltas();
        deltas.next(Map.of(POD, connects(5), CONTAINER, connects(100)));

        Map<CgroupId, ProbeCounters> next = deltas.next(Map.of(POD, connects(6)));

        assertThat(next).containsOnlyKeys(POD);
        assertThat(next.get(POD).activeOpens()).isEqualTo(1);
    }

    @Test
    void countersThatWentBackStartOverFromZero() {
        CounterDeltas deltas = new CounterDeltas();
        deltas.next(Map.of(CONTAINER, connects(100)));

        assertThat(deltas.next(Map.of(CONTAINER, connects(4))).get(CONTAINER).activeOpens()).isEqualTo(4);
    }

    @Test
    void histogramsAndRcodeMapsSubtractBucketByBucket() {
        long[] before = new long[KernelHistogram.BUCKETS];
        before[3] = 2;
        long[] after = before.clone();
        after[3] = 5;
        after[10] = 1;
        ProbeCounters a = withLatency(new KernelHistogram(before, 20), Map.of(0, 4L, 3, 1L));
        ProbeCounters b = withLatency(new KernelHistogram(after, 1100), Map.of(0, 9L, 3, 1L));
        CounterDeltas deltas = new CounterDeltas();
        deltas.next(Map.of(POD, a));

        ProbeCounters delta = deltas.next(Map.of(POD, b)).get(POD);

        assertThat(delta.connectLatency().count(3)).isEqualTo(3);
        assertThat(delta.connectLatency().count(10)).isEqualTo(1);
        assertThat(delta.connectLatency().sumMicros()).isEqualTo(1080);
        assertThat(delta.dnsResponsesByRcode()).containsExactly(Map.entry(0, 5L));
    }

    private static ProbeCounters connects(long n) {
        return new ProbeCounters(n, 0, 0, 0, KernelHistogram.EMPTY, 0, 0, 0, 0, KernelHistogram.EMPTY, 0, 0, 0, 0, 0, 0,
                Map.of(), 0, Map.of(), KernelHistogram.EMPTY, 0);
    }

    private static ProbeCounters withLatency(KernelHistogram latency, Map<Integer, Long> rcodes) {
        return new ProbeCounters(5, 0, 0, 0, latency, 0, 0, 0, 0, KernelHistogram.EMPTY, 0, 0, 0, 0, 0, 0, Map.of(), 0,
                rcodes, KernelHistogram.EMPTY, 0);
    }
}
