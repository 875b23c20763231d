package dev.sonde.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonde.agent.bpf.ProgramInfo;
import dev.sonde.agent.pods.NodePod;
import dev.sonde.agent.pods.PodCgroupResolver.QosClass;
import dev.sonde.agent.probe.DropReasons;
import dev.sonde.agent.probe.Log2Histogram;
import dev.sonde.agent.probe.ProbeCounters;
import dev.sonde.api.agent.CompiledMonitor;
import dev.sonde.api.agent.CompiledProbe;
import dev.sonde.api.v1alpha1.ProbeName;
import dev.sonde.testsupport.Promtool;
import io.opentelemetry.sdk.metrics.data.MetricData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every metric the agent can put on /metrics, all probes of two pods plus the self-metrics, as one exposition:
 * {@code promtool check metrics} prints nothing. MetricsExportIT lints a real agent's scrape; this covers the
 * probes that test does not run.
 */
class PrometheusTextPromtoolIT {

    private final SondeMetrics metrics = new SondeMetrics("node-a", "test", new DropReasons(Map.of(2, "SKB_DROP_REASON_NOT_SPECIFIED")));

    @Test
    void everyMetricPassesPromtool() {
        List<MetricData> all = new ArrayList<>(series("web-1"));
        all.addAll(series("web-2"));
        all.addAll(metrics.agent(new SondeMetrics.AgentStats(1,
                List.of(new ProgramInfo("sonde_tcp_conn", 7, 1_500_000_000L, 30)),
                Map.of("metrics", 2L, "connect_start", 0L, "dns_pending", 0L),
                Map.of("metrics", 10, "selected_cgroups", 2), Map.of("metrics", 16384, "selected_cgroups", 1024),
                4, 1, 120, 12), 2));
        String text = PrometheusText.write(all);
        assertThat(text).as("every probe's metrics are in the exposition").contains("sonde_tcp_rtt_seconds_bucket",
                "sonde_dns_errors_total", "sonde_packet_drops_total", "sonde_tcp_resets_total",
                "sonde_tcp_retransmits_total", "sonde_network_packets_total", "sonde_agent_bpf_map_full_total");

        Promtool.Check check = Promtool.checkMetrics(text);

        assertThat(check.clean()).as(check + "\nin:\n" + text).isTrue();
    }

    private List<MetricData> series(String pod) {
        long[] latency = new long[Log2Histogram.BUCKETS];
        latency[4] = 1;
        latency[11] = 2;
        Log2Histogram histogram = new Log2Histogram(latency, 4000);
        ProbeCounters counters = new ProbeCounters(5, 2, 1, 1, histogram, 3, 40, 1, 2, histogram, 100, 1, 150, 50, 1, 90,
                Map.of(2, 4L, 77, 1L), 10, Map.of(0, 6L, 3, 3L), histogram, 1);
        List<CompiledProbe> probes = Arrays.stream(ProbeName.values()).map(CompiledProbe::of).toList();
        CompiledMonitor monitor = new CompiledMonitor("shop", "checkout", "uid-m", 0, "standard", 15000, probes,
                null, null, null, null);
        NodePod nodePod = new NodePod("shop", pod, "uid-" + pod, Map.of(), QosClass.BEST_EFFORT, false);
        return metrics.series(new PodSeries.Series(monitor, nodePod, 1, counters), null, 2);
    }
}
