package dev.sonde.operator.monitor;

import static dev.sonde.operator.Fixtures.counters;
import static dev.sonde.operator.Fixtures.histogram;
import static dev.sonde.operator.Fixtures.report;
import static dev.sonde.operator.Fixtures.window;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sonde.api.v1alpha1.AgentReport;
import dev.sonde.api.v1alpha1.NetworkMonitor;
import dev.sonde.api.v1alpha1.MonitorWindow;
import dev.sonde.api.v1alpha1.MonitorWindowState;
import dev.sonde.api.v1alpha1.NodeProbeState;
import dev.sonde.api.v1alpha1.ProbeName;
import dev.sonde.api.v1alpha1.ProbeState;
import dev.sonde.api.v1alpha1.ProbeStatus;
import dev.sonde.api.v1alpha1.WindowSummary;
import dev.sonde.operator.Fixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReportAggregatorTest {

    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
    private static final Duration INTERVAL = Duration.ofSeconds(10);
    private static final NetworkMonitor WEB = Fixtures.monitor("shop", "web", "std");
    private static final ReportAggregator.MonitorKey KEY = new ReportAggregator.MonitorKey("shop", "web", "uid-shop-web");
    private static final List<ProbeName> PROBES = List.of(ProbeName.TCP_RETRANSMITS);

    @Test
    void mergesCountersAndHistogramsExactly() {
        AgentReport a = report("a", NOW, NodeProbeState.ATTACHED,
                window(WEB, counters(1000, 15), histogram(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 100)));
        AgentReport b = report("b", NOW.minusSeconds(1), NodeProbeState.ATTACHED,
                window(WEB, counters(3000, 65), histogram(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2)));
        var aggregate = ReportAggregator.aggregate(KEY, PROBES, INTERVAL, Set.of("a", "b"), List.of(a, b), NOW);

        assertThat(aggregate.window().counters().getSegmentsSent()).isEqualTo(4000);
        assertThat(aggregate.window().counters().getRetransmits()).isEqualTo(80);
        assertThat(aggregate.window().counters().getConnectsActive()).as("no node counted it").isNull();
        assertThat(aggregate.window().connectLatency().getBuckets()).containsExactly(0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L,
                0L, 0L, 100L, 0L, 2L);
        assertThat(aggregate.window().retransmitRatio()).isEqualTo(0.02);
        // p99 = rank 100.98 of 102: in bucket 12, [4096us, 8192us)
        assertThat(aggregate.window().connectLatencyP99()).isBetween(Duration.ofNanos(4_096_000),
                Duration.ofNanos(8_192_000));
        assertThat(aggregate.window().connectLatencyP50()).isBetween(Duration.ofNanos(1_024_000),
                Duration.ofNanos(2_048_000));
        assertThat(aggregate.nodes().getSummary()).isEqualTo("2/2");
        assertThat(aggregate.lastReportTime()).isEqualTo(NOW);

        WindowSummary summary = SummaryFormat.summary(aggregate.window());
        assertThat(summary.getRetransmitRatio()).isEqualTo(0.02);
        assertThat(summary.getWindowStart()).isEqualTo(NOW.minusSeconds(11).toString());
        assertThat(summary.getWindowEnd()).isEqualTo(NOW.toString());
        assertThat(summary.getConnectFailureRatio()).isNull();
    }

    @Test
    void ratesUseTheWindowLength() {
        var counters = counters(0, 0);
        counters.setConnectsActive(30L);
        counters.setConnectsPassive(20L);
        counters.setBytesSent(1000L);
        AgentReport a = report("a", NOW, NodeProbeState.ATTACHED, window(WEB, counters, null));
        var aggregate = ReportAggregator.aggregate(KEY, PROBES, INTERVAL, Set.of("a"), List.of(a), NOW);
        assertThat(aggregate.window().connectionsPerSecond()).isEqualTo(5.0);
        assertThat(aggregate.window().transmitBytesPerSecond()).isEqualTo(100.0);
        assertThat(aggregate.window().retransmitRatio()).as("no segments, no ratio").isNull();
    }

    @Test
    void reportsOlderThanThreeIntervalsAreStale() {
        AgentReport fresh = report("a", NOW.minusSeconds(30), NodeProbeState.ATTACHED, window(WEB, counters(100, 1), null));
        AgentReport stale = report("b", NOW.minusSeconds(31), NodeProbeState.ATTACHED, window(WEB, counters(100, 50), null));
        var aggregate = ReportAggregator.aggregate(KEY, PROBES, INTERVAL, Set.of("a", "b", "c"), List.of(fresh, stale),
                NOW);
        assertThat(aggregate.nodes().getDesired()).isEqualTo(3);
        assertThat(aggregate.nodes().getReady()).isEqualTo(1);
        assertThat(aggregate.nodes().getFailed()).as("b is stale, c never reported").isEqualTo(2);
        assertThat(aggregate.window().counters().getRetransmits()).isEqualTo(1);

        var allStale = ReportAggregator.aggregate(KEY, PROBES, INTERVAL, Set.of("b"), List.of(stale), NOW);
        assertThat(allStale.window()).isNull();
        assertThat(allStale.probes()).isEmpty();
        assertThat(allStale.lastReportTime()).isNull();
    }

    @Test
    void aNodeWhoseAgentRejectsTheMonitorsEntryIsFailedAndSaysWhy() {
        MonitorWindow rejected = window(WEB, counters(0, 0), null);
        rejected.setState(MonitorWindowState.FAILED);
        rejected.setReason("UnsupportedProbe");
        rejected.setMessage("this agent has no probe 'tcpTeleport'");
        AgentReport a = report("a", NOW, NodeProbeState.ATTACHED, window(WEB, counters(100, 1), null));
        AgentReport b = report("b", NOW, NodeProbeState.ATTACHED, rejected);

        var aggregate = ReportAggregator.aggregate(KEY, PROBES, INTERVAL, Set.of("a", "b"), List.of(a, b), NOW);

        assertThat(aggregate.nodes().getReady()).isEqualTo(1);
        assertThat(aggregate.nodes().getFailed()).isEqualTo(1);
        assertThat(aggregate.rejections()).containsExactly("b: UnsupportedProbe: this agent has no probe 'tcpTeleport'");
    }

    @Test
    void probeStatesOverNodes() {
        AgentReport ok = report("a", NOW, NodeProbeState.ATTACHED);
        AgentReport unsupported = report("b", NOW, NodeProbeState.UNSUPPORTED);
        AgentReport failed = report("c", NOW, NodeProbeState.FAILED);

        var partly = ReportAggregator.aggregate(KEY, PROBES, INTERVAL, Set.of("a", "b"), List.of(ok, unsupported), NOW);
        ProbeStatus probe = partly.probes().getFirst();
        assertThat(probe.getState()).isEqualTo(ProbeState.UNSUPPORTED);
        assertThat(probe.getAttachedNodes()).isEqualTo(1);
        assertThat(probe.getUnsupportedNodes()).isEqualTo(1);
        assertThat(probe.getMessage()).isEqualTo("b: TracepointMissing");
        assertThat(partly.nodes().getReady()).as("unsupported is still ready").isEqualTo(2);

        var broken = ReportAggregator.aggregate(KEY, PROBES, INTERVAL, Set.of("a", "b", "c"),
                List.of(ok, unsupported, failed), NOW);
        assertThat(broken.probes().getFirst().getState()).isEqualTo(ProbeState.FAILED);
        assertThat(broken.nodes().getReady()).isEqualTo(2);
        assertThat(broken.nodes().getFailed()).isEqualTo(1);
    }

    @Test
    void aRecreatedMonitorOfTheSameNameIsNotMixedUp() {
        NetworkMonitor old = Fixtures.monitor("shop", "web", "std");
        old.getMetadata().setUid("old-uid");
        AgentReport a = report("a", NOW, NodeProbeState.ATTACHED, window(old, counters(100, 100), null));
        var aggregate = ReportAggregator.aggregate(KEY, PROBES, INTERVAL, Set.of("a"), List.of(a), NOW);
        assertThat(aggregate.window()).isNull();
    }

    @Test
    void reportsOfOtherNodesWithoutTheMonitorAndReportsWithoutANodeCountForNothing() {
        NetworkMonitor other = Fixtures.monitor("shop", "other", "std");
        AgentReport a = report("a", NOW, NodeProbeState.ATTACHED, window(WEB, counters(1000, 15), null));
        AgentReport elsewhere = report("c", NOW, NodeProbeState.FAILED, window(other, counters(5000, 500), null));
        AgentReport nameless = report("d", NOW, NodeProbeState.ATTACHED, window(WEB, counters(7000, 70), null));
        nameless.getSpec().setNodeName(null);
        var aggregate = ReportAggregator.aggregate(KEY, PROBES, INTERVAL, Set.of("a"), List.of(a, elsewhere, nameless),
                NOW);

        assertThat(aggregate.window().counters().getSegmentsSent()).isEqualTo(1000);
        assertThat(aggregate.window().nodes()).isEqualTo(1);
        assertThat(aggregate.nodes().getSummary()).isEqualTo("1/1");
        assertThat(aggregate.probes()).singleElement().satisfies(p -> assertThat(p.getState()).isNotEqualTo(
                ProbeState.FAILED));
    }
}
