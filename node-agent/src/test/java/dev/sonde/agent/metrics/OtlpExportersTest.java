package dev.sonde.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OtlpExportersTest {

    @Test
    void httpEndpointsWithoutAPathGetTheMetricsPath() {
        assertThat(OtlpExporters.httpMetricsUrl("http://collector:4318")).isEqualTo("http://collector:4318/v1/metrics");
        assertThat(OtlpExporters.httpMetricsUrl("http://collector:4318/")).isEqualTo("http://collector:4318/v1/metrics");
        assertThat(OtlpExporters.httpMetricsUrl("https://vendor.example/otlp/v1/metrics"))
                .isEqualTo("https://vendor.example/otlp/v1/metrics");
    }
}
