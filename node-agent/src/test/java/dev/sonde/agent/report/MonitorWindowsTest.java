package dev.sonde.agent.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonde.agent.probe.CgroupId;
import dev.sonde.agent.probe.DropReasons;
import dev.sonde.agent.probe.KernelHistogram;
import dev.sonde.agent.probe.ProbeCounters;
import dev.sonde.api.agent.CompiledMonitor;
import dev.sonde.api.agent.CompiledProbe;
import dev.sonde.api.v1alpha1.MonitorWindow;
import dev.sonde.api.v1alpha1.ProbeName;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MonitorWindowsTest {

    private static final CgroupId APP = new CgroupId(101);
    private static final CgroupId SIDECAR = new CgroupId(102);
    private static final CgroupId OTHER_POD = new CgroupId(200);

    @Test
    void kernelBucketsMapOntoTheApiLayoutWithoutCrossingABoundary() {
        // Kernel layout: bucket 0 holds 0, bucket i holds [2^(i-1), 2^i).
        long[] values = {0, 1, 2, 3, 4, 7, 8, 1000, 65_535, 1L << 30};
        long[] kernel = new long[KernelHistogram.BUCKETS];
        long sum = 0;
        for (long v : values) {
            kernel[v == 0 ? 0 : 64 - Long.numberOfLeadingZeros(v)]++;
            sum += v;
        }

        dev.sonde.api.v1alpha1.Log2Histogram api = new KernelHistogram(kernel, sum).toApi();

        // The API type's own bucketOf is the ground truth for where each value belongs.
        long[] expected = new long[api.getBuckets().size()];
        for (long v : values) {
            expected[dev.sonde.api.v1alpha1.Log2Histogram.bucketOf(v)]++;
        }
        assertThat(api.getBuckets()).containsExactly(box(expected));
        assertThat(api.getSum()).isEqualTo(sum);
        assertThat(api.getUnit()).isEqualTo("us");
        assertThat(api.count()).isEqualTo(values.length);
    }

    @Test
    void anEmptyHistogramHasNoBuckets() {
        assertThat(KernelHistogram.EMPTY.toApi().getBuckets()).isEmpty();
    }

    @Test
    void sumsTheCgroupsOfTheMonitorsPodsOnly() {
        Map<CgroupId, ProbeCounters> deltas = Map.of(
                APP, counters(10, 2, 1000, Map.of(0, 5L, 3, 2L), 1),
                SIDECAR, counters(5, 0, 500, Map.of(2, 1L), 0),
                OTHER_POD, counters(99, 99, 99_999, Map.of(3, 50L), 9));

        MonitorWindow window = MonitorWindows.of("shop", "checkout", "uid-1", 1, List.of(APP, SIDECAR), deltas,
                Set.of());

        assertThat(window.getPods()).isEqualTo(1);
        assertThat(window.getCounters().getConnectsActive()).isEqualTo(15);
        assertThat(window.getCounters().getConnectFailures()).isEqualTo(2);
        assertThat(window.getCounters().getBytesSent()).isEqualTo(1500);
        assertThat(window.getCounters().getDnsQueries()).isEqualTo(9);
        // NXDOMAIN 2 + SERVFAIL 1 + unanswered 1; NOERROR is not an error.
        assertThat(window.getCounters().getDnsErrors()).isEqualTo(4);
    }

    /** Health counts the loss reasons only; the metrics keep every reason. */
    @Test
    void dropsCountOnlyTheMonitorsLossReasons() {
        // numbers as on some kernel: what the agent reads from BTF
        DropReasons kernel = new DropReasons(Map.of(2, "SKB_DROP_REASON_NOT_SPECIFIED",
                16, "SKB_DROP_REASON_NETFILTER_DROP", 77, "SKB_DROP_REASON_QUEUE_PURGE",
                29, "SKB_DROP_REASON_SOCKET_BACKLOG"));
        Map<CgroupId, ProbeCounters> deltas = Map.of(APP, drops(Map.of(2, 3L, 16, 5L, 77, 40L, 29, 1L)));
        CompiledMonitor defaults = monitor(CompiledProbe.of(ProbeName.PACKET_DROPS));
        CompiledMonitor custom = monitor(new CompiledProbe(ProbeName.PACKET_DROPS, null,
                List.of("QUEUE_PURGE", "NOT_A_REASON_HERE"), null));

        assertThat(MonitorWindows.lossDropReasons(defaults, kernel)).containsExactlyInAnyOrder(16, 29);
        assertThat(MonitorWindows.of("shop", "m", "u", 1, List.of(APP), deltas,
                MonitorWindows.lossDropReasons(defaults, kernel)).getCounters().getDrops())
                .as("NETFILTER_DROP and SOCKET_BACKLOG, not QUEUE_PURGE or NOT_SPECIFIED").isEqualTo(6);
        assertThat(MonitorWindows.of("shop", "m", "u", 1, List.of(APP), deltas,
                MonitorWindows.lossDropReasons(custom, kernel)).getCounters().getDrops())
                .as("the profile's own list").isEqualTo(40);
    }

    private static CompiledMonitor monitor(CompiledProbe probe) {
        return new CompiledMonitor("shop", "m", "u", 0, "p", 15_000, List.of(probe), List.of("shop"), null, null,
                null);
    }

    private static ProbeCounters drops(Map<Integer, Long> byReason) {
        return new ProbeCounters(0, 0, 0, 0, KernelHistogram.EMPTY, 0, 0, 0, 0, KernelHistogram.EMPTY,
                0, 0, 0, 0, 0, 0, byReason, 0, Map.of(), KernelHistogram.EMPTY, 0);
    }

    private static ProbeCounters counters(long connects, long failures, long txBytes, Map<Integer, Long> rcodes,
            long unanswered) {
        return new ProbeCounters(connects, 0, 0, failures, KernelHistogram.EMPTY, 0, 0, 0, 0, KernelHistogram.EMPTY,
                txBytes, 0, 0, 0, 0, 0, Map.of(), rcodes.values().stream().mapToLong(Long::longValue).sum() + unanswered,
                rcodes, KernelHistogram.EMPTY, unanswered);
    }

    private static Long[] box(long[] values) {
        Long[] boxed = new Long[values.length];
        for (int i = 0; i < values.length; i++) {
            boxed[i] = values[i];
        }
        return boxed;
    }
}
