package dev.sonde.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonde.agent.pods.NodePod;
import dev.sonde.agent.pods.PodCgroupResolver.QosClass;
import dev.sonde.agent.probe.KernelHistogram;
import dev.sonde.agent.probe.ProbeCounters;
import dev.sonde.api.agent.CompiledMonitor;
import dev.sonde.api.agent.CompiledProbe;
import dev.sonde.api.v1alpha1.ProbeName;
import io.opentelemetry.sdk.metrics.data.MetricData;
import java.util.ArrayList;
import java.util.List;
import dev.sonde.agent.probe.DropReasons;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {

    private final SondeMetrics metrics = new SondeMetrics("node-a", "test", new DropReasons(Map.of()));

    @Test
    void namesFollowOpenTelemetrysPrometheusRules() {
        String text = PrometheusText.write(seriesOf("web-1", 5));

        assertThat(text).contains("# TYPE sonde_tcp_connections_total counter\n")
                .contains("# TYPE sonde_tcp_connect_duration_seconds histogram\n")
                .contains("# TYPE sonde_network_io_bytes_total counter\n")
                .contains("sonde_tcp_connections_total{k8s_namespace_name=\"shop\",k8s_node_name=\"node-a\","
                        + "k8s_pod_name=\"web-1\",k8s_pod_uid=\"uid-web-1\",service_name=\"web-1\","
                        + "sonde_monitor=\"shop/checkout\",direction=\"active\"} 5\n")
                .contains("le=\"0.000001\"} 0\n")
                .contains("le=\"+Inf\"} 1\n")
                .contains("sonde_tcp_connect_duration_seconds_sum{")
                .doesNotContain("E-");
    }

    @Test
    void groupsEveryPodsSamplesUnderOneFamily() {
        List<MetricData> all = new ArrayList<>(seriesOf("web-1", 1));
        all.addAll(seriesOf("web-2", 2));

        String text = PrometheusText.write(all);

        assertThat(text.split("# TYPE sonde_tcp_connections_total ", -1)).hasSize(2);
        int first = text.indexOf("k8s_pod_name=\"web-1\",k8s_pod_uid=\"uid-web-1\",service_name=\"web-1\","
                + "sonde_monitor=\"shop/checkout\",direction=\"active\"");
        int second = text.indexOf("k8s_pod_name=\"web-2\",k8s_pod_uid=\"uid-web-2\",service_name=\"web-2\","
                + "sonde_monitor=\"shop/checkout\",direction=\"active\"");
        int nextFamily = text.indexOf("# TYPE sonde_tcp_connect_failures_total");
        assertThat(first).isPositive().isLessThan(nextFamily);
        assertThat(second).isPositive().isLessThan(nextFamily);
    }

    @Test
    void writesTheAgentsSelfMetrics() {
        SondeMetrics.AgentStats stats = new SondeMetrics.AgentStats(1, List.of(
                new dev.sonde.agent.bpf.ProgramInfo("sonde_tcp_state", 7, 1_500_000_000L, 30)),
                Map.of("metrics", 2L), Map.of("metrics", 10), Map.of("metrics", 16384), 4, 1, 120, 12);

        String text = PrometheusText.write(metrics.agent(stats, 2));

        assertThat(text).contains("sonde_agent_bpf_program_runs_total{k8s_node_name=\"node-a\","
                        + "service_name=\"sonde-agent\",bpf_program=\"sonde_tcp_state\"} 30\n")
                .contains("# TYPE sonde_agent_bpf_program_run_time_seconds_total counter\n")
                .contains("bpf_program=\"sonde_tcp_state\"} 1.5\n")
                .contains("# TYPE sonde_agent_bpf_map_entries gauge\n")
                .contains("sonde_agent_bpf_map_capacity{k8s_node_name=\"node-a\",service_name=\"sonde-agent\","
                        + "bpf_map=\"metrics\"} 16384\n")
                .contains("reason=\"export_failed\"} 12\n")
                .contains("reason=\"series_limit\"} 1\n");
    }

    @Test
    void escapesLabelValuesAndFormatsNumbersExactly() {
        assertThat(PrometheusText.number(1 / 1e6)).isEqualTo("0.000001");
        assertThat(PrometheusText.number((1L << 30) / 1e6)).isEqualTo("1073.741824");
        assertThat(PrometheusText.number(3.0)).isEqualTo("3");
        assertThat(PrometheusText.sanitize("k8s.pod.name")).isEqualTo("k8s_pod_name");
        assertThat(PrometheusText.sanitize("9lives")).isEqualTo("_9lives");
    }

    private List<MetricData> seriesOf(String pod, long connects) {
        long[] latency = new long[KernelHistogram.BUCKETS];
        latency[4] = 1;
        ProbeCounters counters = new ProbeCounters(connects, 0, 0, 0, new KernelHistogram(latency, 10), 0, 0, 0, 0,
                KernelHistogram.EMPTY, 100, 1, 150, 50, 1, 90, Map.of(), 0, Map.of(), KernelHistogram.EMPTY, 0);
        CompiledMonitor monitor = new CompiledMonitor("shop", "checkout", "uid-m", 0, "standard", 15000,
                List.of(CompiledProbe.of(ProbeName.TCP_CONNECTIONS), CompiledProbe.of(ProbeName.TRAFFIC)),
                null, null, null, null);
        NodePod nodePod = new NodePod("shop", pod, "uid-" + pod, Map.of(), QosClass.BEST_EFFORT, false);
        return metrics.series(new PodSeries.Series(monitor, nodePod, 1, counters), null, 2);
    }
}
