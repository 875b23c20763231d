package dev.sonde.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonde.agent.pods.NodePod;
import dev.sonde.agent.pods.PodCgroupResolver.QosClass;
import dev.sonde.agent.probe.FlowCounters;
import dev.sonde.agent.probe.FlowKey;
import dev.sonde.agent.probe.KernelHistogram;
import dev.sonde.agent.probe.ProbeCounters;
import dev.sonde.api.agent.CompiledMonitor;
import dev.sonde.api.agent.CompiledProbe;
import dev.sonde.api.v1alpha1.ProbeName;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import java.util.List;
import dev.sonde.agent.probe.DropReasons;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SondeMetricsTest {

    private static final NodePod POD = new NodePod("shop", "web-1", "uid-1", Map.of(), QosClass.BEST_EFFORT, false);
    private final SondeMetrics metrics = new SondeMetrics("node-a", "test", new DropReasons(Map.of(2, "SKB_DROP_REASON_NOT_SPECIFIED")));

    @Test
    void publishesOnlyTheMetricsOfTheMonitorsProbesOnAPodResource() {
        long[] latency = new long[KernelHistogram.BUCKETS];
        latency[0] = 1; // 0 µs
        latency[11] = 2; // [1024, 2048) µs
        ProbeCounters counters = new ProbeCounters(7, 3, 0, 2, new KernelHistogram(latency, 2 * 1500), 0, 0, 0, 0,
                KernelHistogram.EMPTY, 0, 0, 0, 0, 0, 0, Map.of(), 10, Map.of(0, 6L, 3, 3L), KernelHistogram.EMPTY, 1);
        PodSeries.Series series = new PodSeries.Series(monitor(ProbeName.TCP_CONNECTIONS, ProbeName.DNS), POD, 100,
                counters);

        List<MetricData> data = metrics.series(series, null, 200);

        assertThat(data).extracting(MetricData::getName).containsExactly(SondeMetrics.TCP_CONNECTIONS,
                SondeMetrics.TCP_CONNECT_FAILURES, SondeMetrics.TCP_CONNECT_DURATION, SondeMetrics.DNS_QUERIES,
                SondeMetrics.DNS_DURATION, SondeMetrics.DNS_ERRORS);
        MetricData connections = data.getFirst();
        assertThat(connections.getResource().getAttributes().asMap()).containsExactlyInAnyOrderEntriesOf(Map.of(
                AttributeKey.stringKey("k8s.node.name"), "node-a",
                AttributeKey.stringKey("k8s.namespace.name"), "shop",
                AttributeKey.stringKey("k8s.pod.name"), "web-1",
                AttributeKey.stringKey("k8s.pod.uid"), "uid-1",
                // a pod without an owner or app.kubernetes.io/name label: its own name
                AttributeKey.stringKey("service.name"), "web-1",
                AttributeKey.stringKey("sonde.monitor"), "shop/checkout"));
        assertThat(connections.getLongSumData().isMonotonic()).isTrue();
        assertThat(connections.getLongSumData().getPoints()).extracting(
                p -> p.getAttributes().get(SondeMetrics.DIRECTION), LongPointData::getValue,
                LongPointData::getStartEpochNanos, LongPointData::getEpochNanos)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("active", 7L, 100L, 200L),
                        org.assertj.core.groups.Tuple.tuple("passive", 3L, 100L, 200L));

        HistogramPointData duration = data.get(2).getHistogramData().getPoints().iterator().next();
        assertThat(data.get(2).getUnit()).isEqualTo("s");
        assertThat(duration.getCount()).isEqualTo(3);
        assertThat(duration.getSum()).isEqualTo(0.003);
        assertThat(duration.getBoundaries()).hasSize(KernelHistogram.BUCKETS - 1).startsWith(0.000001, 0.000002);
        assertThat(duration.getCounts()).hasSize(KernelHistogram.BUCKETS);
        assertThat(duration.getBoundaries().get(10)).as("upper bound of the bucket holding 1500 µs")
                .isEqualTo(0.001024);
        assertThat(duration.getCounts().get(11)).isEqualTo(2);

        assertThat(data.get(5).getLongSumData().getPoints()).extracting(
                p -> p.getAttributes().get(SondeMetrics.RCODE), LongPointData::getValue)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("NXDOMAIN", 3L),
                        org.assertj.core.groups.Tuple.tuple("TIMEOUT", 1L));
    }

    @Test
    void namesDropReasonsFromTheKernelsEnumAndFallsBackToNumbers() {
        assertThat(metrics.dropReason(2)).isEqualTo("NOT_SPECIFIED");
        assertThat(metrics.dropReason(77)).isEqualTo("77");
    }

    private static CompiledMonitor monitor(ProbeName... probes) {
        return new CompiledMonitor("shop", "checkout", "uid-m", 0, "standard", 15000,
                java.util.Arrays.stream(probes).map(CompiledProbe::of).toList(), null, null, null, null);
    }

    @Test
    void flowPointsCarryThePeerAndInterzoneBytesOnlyForAnotherKnownZone() {
        CompiledMonitor monitor = monitor(ProbeName.FLOWS);
        NodePod pod = new NodePod("shop", "web-1", "uid-1", Map.of("app.kubernetes.io/name", "web"),
                QosClass.BEST_EFFORT, false, new dev.sonde.agent.pods.Workload("Deployment", "web"));
        FlowCounters c = new FlowCounters(4, 1, 0, 0, 2, 400, 80, KernelHistogram.EMPTY);
        dev.sonde.agent.flows.Peer far = new dev.sonde.agent.flows.Peer(
                dev.sonde.agent.flows.PeerIdentity.Kind.SERVICE, "shop", "inventory", null, null, "inventory-0",
                "zone-b", 8080, FlowKey.Transport.TCP, FlowKey.Direction.ACTIVE);
        dev.sonde.agent.flows.Peer near = new dev.sonde.agent.flows.Peer(
                dev.sonde.agent.flows.PeerIdentity.Kind.POD, "shop", null, "Deployment", "cart", null, "zone-a", 9000,
                FlowKey.Transport.TCP, FlowKey.Direction.PASSIVE);
        var resource = metrics.resource(monitor, pod, "zone-a");
        List<MetricData> data = metrics.flows(resource, List.of(
                new dev.sonde.agent.flows.FlowSeries.Series(monitor, pod, far, 100, c, 0),
                new dev.sonde.agent.flows.FlowSeries.Series(monitor, pod, near, 100, c, 0)), 0, 100, "zone-a", 200);

        assertThat(resource.getAttribute(AttributeKey.stringKey("k8s.deployment.name"))).isEqualTo("web");
        assertThat(resource.getAttribute(AttributeKey.stringKey("service.name"))).isEqualTo("web");
        assertThat(resource.getAttribute(AttributeKey.stringKey("cloud.availability_zone"))).isEqualTo("zone-a");
        MetricData interzone = data.stream().filter(m -> m.getName().equals(SondeMetrics.INTERZONE_IO)).findFirst()
                .orElseThrow();
        assertThat(interzone.getLongSumData().getPoints()).hasSize(2).allSatisfy(p -> {
            assertThat(p.getAttributes().get(AttributeKey.stringKey("sonde.peer.name"))).isEqualTo("inventory");
            assertThat(p.getAttributes().get(AttributeKey.stringKey("sonde.peer.backend.name"))).isEqualTo("inventory-0");
        });
        MetricData failures = data.stream().filter(m -> m.getName().equals(SondeMetrics.FLOW_CONNECT_FAILURES))
                .findFirst().orElseThrow();
        assertThat(failures.getLongSumData().getPoints()).as("only active flows have connect failures").hasSize(1);
        MetricData connections = data.stream().filter(m -> m.getName().equals(SondeMetrics.FLOW_CONNECTIONS))
                .findFirst().orElseThrow();
        assertThat(connections.getLongSumData().getPoints()).extracting(p -> p.getAttributes().get(
                AttributeKey.longKey("network.peer.port"))).containsExactlyInAnyOrder(8080L, 9000L);
    }
}
