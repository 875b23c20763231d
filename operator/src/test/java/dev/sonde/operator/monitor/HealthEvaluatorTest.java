package dev.sonde.operator.monitor;

import static dev.sonde.operator.Fixtures.counters;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sonde.api.v1alpha1.DurationThreshold;
import dev.sonde.api.v1alpha1.HealthReason;
import dev.sonde.api.v1alpha1.HealthState;
import dev.sonde.api.v1alpha1.HealthThresholds;
import dev.sonde.api.v1alpha1.RateThreshold;
import dev.sonde.api.v1alpha1.RatioThreshold;
import dev.sonde.api.v1alpha1.TrafficCounters;
import dev.sonde.operator.Fixtures;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class HealthEvaluatorTest {

    private static HealthThresholds thresholds() {
        HealthThresholds t = new HealthThresholds();
        t.setRetransmitRatio(new RatioThreshold(0.01, 0.05));
        t.setConnectLatencyP99(new DurationThreshold("1ms", "10ms"));
        t.setResetRate(new RateThreshold(0.0, 10.0));
        return t;
    }

    private static MergedWindow window(TrafficCounters counters, long... latencyBuckets) {
        return new MergedWindow(Instant.EPOCH, Instant.EPOCH.plusSeconds(10), Duration.ofSeconds(10), 1, counters,
                latencyBuckets.length == 0 ? null : Fixtures.histogram(latencyBuckets), null, null);
    }

    @Test
    void unknownWithoutData() {
        assertThat(HealthEvaluator.evaluate(thresholds(), null).state()).isEqualTo(HealthState.UNKNOWN);
    }

    @Test
    void healthyBelowEveryLevelAndUnmeasuredValuesAreNotJudged() {
        var health = HealthEvaluator.evaluate(thresholds(), window(counters(1000, 10)));
        assertThat(health.state()).isEqualTo(HealthState.HEALTHY);
        assertThat(health.reasons()).isEmpty();
    }

    @Test
    void degradedAndCriticalWithReasons() {
        HealthEvaluator.Health degraded = HealthEvaluator.evaluate(thresholds(), window(counters(1000, 31)));
        assertThat(degraded.state()).isEqualTo(HealthState.DEGRADED);
        HealthReason reason = degraded.reasons().getFirst();
        assertThat(reason.getThreshold()).isEqualTo("retransmitRatio");
        assertThat(reason.getObserved()).isEqualTo("0.031");
        assertThat(reason.getLimit()).isEqualTo("0.01");
        assertThat(reason.getMessage()).isEqualTo("retransmit ratio 3.1% is above the degraded level 1%");

        TrafficCounters resets = counters(1000, 0);
        resets.setResetsSent(150L);
        // 15 resets/s is critical; p99 in [2048us, 4096us) is above the degraded 1ms
        HealthEvaluator.Health critical = HealthEvaluator.evaluate(thresholds(),
                window(resets, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10));
        assertThat(critical.state()).isEqualTo(HealthState.CRITICAL);
        assertThat(critical.reasons()).extracting(HealthReason::getThreshold)
                .containsExactly("resetRate", "connectLatencyP99");
        assertThat(critical.reasons().get(1).getLevel()).isEqualTo(HealthState.DEGRADED);
    }

    @Test
    void noThresholdsIsHealthyWhileReporting() {
        assertThat(HealthEvaluator.evaluate(null, window(counters(10, 10))).state()).isEqualTo(HealthState.HEALTHY);
    }
}
