package dev.sonde.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The real promtool passes a valid exposition and names the metric of each problem in an invalid one. */
class PromtoolIT {

    @Test
    void passesAValidExposition() {
        Promtool.Check check = Promtool.checkMetrics("""
                # HELP requests_total Requests served.
                # TYPE requests_total counter
                requests_total{code="200"} 3
                # HELP request_duration_seconds Time per request.
                # TYPE request_duration_seconds histogram
                request_duration_seconds_bucket{le="0.1"} 1
                request_duration_seconds_bucket{le="+Inf"} 3
                request_duration_seconds_sum 0.7
                request_duration_seconds_count 3
                """);

        assertThat(check.clean()).as(check.toString()).isTrue();
    }

    @Test
    void reportsEachProblemWithItsMetric() {
        Promtool.Check check = Promtool.checkMetrics("""
                # TYPE requests counter
                requests 3
                # HELP latency_seconds Latency quantiles, typed as a gauge.
                # TYPE latency_seconds gauge
                latency_seconds{quantile="0.5"} 0.1
                """);

        assertThat(check.exitCode()).as(check.toString()).isEqualTo(3);
        assertThat(check.problems()).as(check.toString()).containsExactlyInAnyOrder(
                "requests no help text",
                "requests counter metrics should have \"_total\" suffix",
                "latency_seconds non-summary metrics should not have \"quantile\" label");
    }
}
