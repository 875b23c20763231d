package dev.sonde.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonde.api.v1alpha1.OtlpProtocol;
import java.util.Map;
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
}
