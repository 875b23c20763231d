package dev.sonde.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonde.agent.pods.NodePod;
import dev.sonde.agent.pods.PodCgroupResolver.QosClass;
import dev.sonde.agent.probe.KernelHistogram;
import dev.sonde.agent.probe.ProbeCounters;
import dev.sonde.api.agent.CompiledMonitor;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PodSeriesTest {

    private static final CompiledMonitor MONITOR = new CompiledMonitor("shop", "checkout", "uid-m", 0, "standard",
            15000, List.of(), null, null, null, null);

    @Test
    void accumulatesFromTheFirstSelectionAndEndsWhenThePodLeaves() {
        PodSeries series = new PodSeries(10);
        series.add(MONITOR, pod("a"), connects(2), 100);
        series.add(MONITOR, pod("a"), connects(3), 200);

        assertThat(series.all()).singleElement().satisfies(s -> {
            assertThat(s.total().activeOpens()).isEqualTo(5);
            assertThat(s.startEpochNanos()).isEqualTo(100);
        });

        series.retain(Set.of());
        series.add(MONITOR, pod("a"), connects(1), 300);
        assertThat(series.all()).singleElement().satisfies(s -> {
            assertThat(s.total().activeOpens()).as("a new series starts from zero").isEqualTo(1);
            assertThat(s.startEpochNanos()).isEqualTo(300);
        });
    }

    @Test
    void refusesSeriesBeyondTheLimitAndCountsThem() {
        PodSeries series = new PodSeries(2);
        for (String pod : List.of("a", "b", "c", "d")) {
            series.add(MONITOR, pod(pod), connects(1), 1);
        }
        series.add(MONITOR, pod("a"), connects(1), 2);

        assertThat(series.size()).isEqualTo(2);
        assertThat(series.refused()).isEqualTo(2);
        assertThat(series.all()).extracting(s -> s.pod().name()).containsExactly("a", "b");
    }

    private static NodePod pod(String name) {
        return new NodePod("shop", name, "uid-" + name, Map.of(), QosClass.BEST_EFFORT, false);
    }

    private static ProbeCounters connects(long n) {
        return new ProbeCounters(n, 0, 0, 0, KernelHistogram.EMPTY, 0, 0, 0, 0, KernelHistogram.EMPTY, 0, 0, 0, 0, 0, 0,
                Map.of(), 0, Map.of(), KernelHistogram.EMPTY, 0);
    }
}
