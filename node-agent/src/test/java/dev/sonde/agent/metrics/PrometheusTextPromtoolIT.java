package dev.sonde.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonde.agent.bpf.ProgramInfo;
import dev.sonde.agent.pods.NodePod;
import dev.sonde.agent.pods.PodCgroupResolver.QosClass;
import dev.sonde.agent.probe.DropReasons;
import dev.sonde.agent.probe.KernelHistogram;
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
import dev.sonde.agent.flows.FlowSeries;
import dev.sonde.agent.flows.Peer;
import dev.sonde.agent.flows.PeerIdentity;
import dev.sonde.agent.probe.FlowCounters;
import dev.sonde.agent.probe.FlowKey;
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
                List.of(new ProgramInfo("sonde_tcp_state", 7, 1_500_000_000L, 30)),
                Map.of("metrics", 2L, "connect_start", 0L, "dns_pending", 0L),
                Map.of("metrics", 10, "selected_cgroups", 2), Map.of("metrics", 16384, "selected_cgroups", 1024),
                4, 1, 120, 12), 2));
        all.addAll(flows("web-1"));
        String text = PrometheusText.write(all);
        assertThat(text).as("every probe's metrics are in the exposition").contains("sonde_tcp_rtt_seconds_bucket",
                "sonde_flow_connections_total", "sonde_flow_rtt_seconds_bucket", "sonde_network_interzone_io_bytes_total",
                "sonde_flow_refused_total",
                "sonde_dns_errors_total", "sonde_packet_drops_total", "sonde_tcp_resets_total",
                "sonde_tcp_retransmits_total", "sonde_tcp_segments_sent_total",
                "sonde_network_packets_total", "sonde_agent_bpf_map_full_total");

        Promtool.Check check = Promtool.checkMetrics(text);

        assertThat(check.clean()).as(check + "\nin:\n" + text).isTrue();
    }

    /** A pod's flows to a Service in another zone (with its backend) and from an external group. */
    private List<MetricData> flows(String pod) {
        long[] rtt = new long[KernelHistogram.BUCKETS];
        rtt[6] = 3;
        FlowCounters c = new FlowCounters(10, 1, 0, 2, 4, 1100, 20, new KernelHistogram(rtt, 150));
        CompiledMonitor monitor = new CompiledMonitor("shop", "checkout", "uid-m", 0, "standard", 15000,
                List.of(CompiledProbe.of(ProbeName.FLOWS)), null, null, null, null);
        NodePod nodePod = new NodePod("shop", pod, "uid-" + pod, Map.of(), QosClass.BEST_EFFORT, false);
        Peer svc = new Peer(PeerIdentity.Kind.SERVICE, "shop", "inventory", null, null, "inventory", "zone-b", 8080,
                FlowKey.Transport.TCP, FlowKey.Direction.ACTIVE);
        Peer ext = new Peer(PeerIdentity.Kind.EXTERNAL, null, "corp", null, null, null, null, 443,
                FlowKey.Transport.TCP, FlowKey.Direction.PASSIVE);
        List<FlowSeries.Series> series = List.of(new FlowSeries.Series(monitor, nodePod, svc, 1, c, 0),
                new FlowSeries.Series(monitor, nodePod, ext, 1, c, 0));
        return metrics.flows(metrics.resource(monitor, nodePod, "zone-a"), series, 3, 1, "zone-a", 2);
    }

    private List<MetricData> series(String pod) {
        long[] latency = new long[KernelHistogram.BUCKETS];
        latency[4] = 1;
        latency[11] = 2;
        KernelHistogram histogram = new KernelHistogram(latency, 4000);
        ProbeCounters counters = new ProbeCounters(5, 2, 1, 1, histogram, 3, 40, 1, 2, histogram, 100, 1, 150, 50, 1, 90,
                Map.of(2, 4L, 77, 1L), 10, Map.of(0, 6L, 3, 3L), histogram, 1);
        List<CompiledProbe> probes = Arrays.stream(ProbeName.values()).map(CompiledProbe::of).toList();
        CompiledMonitor monitor = new CompiledMonitor("shop", "checkout", "uid-m", 0, "standard", 15000, probes,
                null, null, null, null);
        NodePod nodePod = new NodePod("shop", pod, "uid-" + pod, Map.of(), QosClass.BEST_EFFORT, false);
        return metrics.series(new PodSeries.Series(monitor, nodePod, 1, counters), null, 2);
    }
}
