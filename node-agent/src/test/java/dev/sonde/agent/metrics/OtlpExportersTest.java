package dev.sonde.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonde.api.v1alpha1.OtlpProtocol;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.MetricDataType;
import io.opentelemetry.sdk.resources.Resource;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class OtlpExportersTest {

    @Test
    void httpEndpointsWithoutAPathGetTheMetricsPath() {
        assertThat(OtlpExporters.httpMetricsUrl("http://collector:4318")).isEqualTo("http://collector:4318/v1/metrics");
        assertThat(OtlpExporters.httpMetricsUrl("http://collector:4318/")).isEqualTo("http://collector:4318/v1/metrics");
        assertThat(OtlpExporters.httpMetricsUrl("https://vendor.example/otlp/v1/metrics"))
                .isEqualTo("https://vendor.example/otlp/v1/metrics");
    }

    @Test
    void targetsWithOtherHeadersAreOtherExportersAndNeverPrintTheValues() {
        var a = new OtlpExporters.Target("http://c:4317", OtlpProtocol.GRPC, Map.of("Authorization", "Bearer old"));
        var b = new OtlpExporters.Target("http://c:4317", OtlpProtocol.GRPC, Map.of("Authorization", "Bearer new"));
        assertThat(a).isNotEqualTo(b);
        assertThat(a).isEqualTo(new OtlpExporters.Target("http://c:4317", OtlpProtocol.GRPC,
                Map.of("Authorization", "Bearer old")));
        assertThat(a.toString()).contains("Authorization").doesNotContain("old");
        assertThat(new OtlpExporters.Target("http://c:4317", OtlpProtocol.GRPC))
                .isEqualTo(new OtlpExporters.Target("http://c:4317", OtlpProtocol.GRPC, null));
    }

    @Test
    void anIntervalGoesInRequestsOfBoundedPointsInOrderAndAMetricIsNeverSplit() {
        List<MetricData> metrics = List.of(metric("a", 3), metric("b", 3), metric("c", 7), metric("d", 1),
                metric("e", 2));

        List<List<MetricData>> batches = OtlpExporters.batches(metrics, 5);

        assertThat(batches).extracting(b -> b.stream().map(MetricData::getName).toList())
                .containsExactly(List.of("a"), List.of("b"), List.of("c"), List.of("d", "e"));
        assertThat(OtlpExporters.batches(metrics, 100)).hasSize(1);
        assertThat(OtlpExporters.batches(List.of(), 5)).isEmpty();
    }

    private static MetricData metric(String name, int points) {
        List<LongPointData> data = IntStream.range(0, points).mapToObj(i -> (LongPointData) new OtelData.LongPoint(0,
                1, Attributes.empty(), i)).toList();
        return new OtelData.Metric(Resource.empty(), InstrumentationScopeInfo.create("test"), name, "", "1",
                MetricDataType.LONG_SUM, new OtelData.Sum<>(data, true));
    }
}
