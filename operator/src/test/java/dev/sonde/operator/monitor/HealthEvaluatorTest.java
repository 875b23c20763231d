package dev.sonde.operator.monitor;

import static dev.sonde.operator.Fixtures.counted;
import static dev.sonde.operator.Fixtures.counters;
import static dev.sonde.operator.Fixtures.peer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sonde.api.v1alpha1.DurationThreshold;
import dev.sonde.api.v1alpha1.HealthReason;
import dev.sonde.api.v1alpha1.HealthState;
import dev.sonde.api.v1alpha1.HealthThresholds;
import dev.sonde.api.v1alpha1.PeerWindow;
import dev.sonde.api.v1alpha1.RateThreshold;
import dev.sonde.api.v1alpha1.RatioThreshold;
import dev.sonde.api.v1alpha1.TrafficCounters;
import dev.sonde.operator.Fixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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
                latencyBuckets.length == 0 ? null : Fixtures.histogram(latencyBuckets), null, null, List.of(), null);
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

    private static MergedWindow withPeers(TrafficCounters counters, PeerWindow... peers) {
        return new MergedWindow(Instant.EPOCH, Instant.EPOCH.plusSeconds(10), Duration.ofSeconds(10), 1, counters,
                null, null, null, List.of(peers), 0L);
    }

    @Test
    void aConnectFailureReasonNamesThePeerWithMostFailuresAndItsShareOfTheWindow() {
        HealthThresholds t = new HealthThresholds();
        t.setConnectFailureRatio(new RatioThreshold(0.02, 0.1));
        TrafficCounters c = new TrafficCounters();
        c.setConnectsActive(400L);
        c.setConnectFailures(20L);
        // the busier peer ranks lower: fewer failures
        PeerWindow inventory = counted(peer("service", "demo", "inventory", 8080), 100, 20, 0, 0, 10);
        PeerWindow web = counted(peer("pod", "demo", "web-0", 80), 300, 0, 0, 0, 10);

        HealthReason reason = HealthEvaluator.evaluate(t, withPeers(c, web, inventory)).reasons().getFirst();

        assertThat(reason.getMessage()).isEqualTo("connect failure ratio 5% is above the degraded level 2% \u2014 100% "
                + "of failed connects go to Service demo/inventory:8080");
        assertThat(reason.getObserved()).as("the value stays a number").isEqualTo("0.05");
    }

    @Test
    void retransmitAndResetReasonsNameTheirPeersWithTheirShares() {
        HealthThresholds t = new HealthThresholds();
        t.setRetransmitRatio(new RatioThreshold(0.01, 0.05));
        t.setResetRate(new RateThreshold(0.0, 10.0));
        TrafficCounters c = counters(1000, 30);
        c.setResetsSent(2L);
        c.setResetsReceived(1L);
        PeerWindow checkout = peer("pod", "shop", null, 8080);
        checkout.setWorkloadKind("Deployment");
        checkout.setWorkloadName("checkout");
        counted(checkout, 10, 0, 20, 0, 10);
        PeerWindow vpn = counted(peer("external", null, "corporate-vpn", 443), 5, 0, 10, 2, 10);

        var reasons = HealthEvaluator.evaluate(t, withPeers(c, checkout, vpn)).reasons();

        assertThat(reasons).extracting(HealthReason::getMessage).containsExactly(
                "retransmit ratio 3% is above the degraded level 1% \u2014 66.67% of retransmits go to Deployment "
                        + "shop/checkout",
                "reset rate 0.3/s is above the degraded level 0/s \u2014 66.67% of resets are with external "
                        + "corporate-vpn");
    }

    @Test
    void withoutPeersOrWithoutPeerCountsTheReasonIsAsBefore() {
        HealthThresholds t = new HealthThresholds();
        t.setRetransmitRatio(new RatioThreshold(0.01, 0.05));
        assertThat(HealthEvaluator.evaluate(t, withPeers(counters(1000, 31))).reasons().getFirst().getMessage())
                .isEqualTo("retransmit ratio 3.1% is above the degraded level 1%");
        PeerWindow clean = counted(peer("pod", "demo", "web-0", 80), 10, 0, 0, 0, 10);
        assertThat(HealthEvaluator.evaluate(t, withPeers(counters(1000, 31), clean)).reasons().getFirst()
                .getMessage()).isEqualTo("retransmit ratio 3.1% is above the degraded level 1%");
    }
}
