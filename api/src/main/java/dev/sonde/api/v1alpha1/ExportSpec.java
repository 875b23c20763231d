package dev.sonde.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** Where the monitor's per-pod metrics go. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ExportSpec {

    @JsonPropertyDescription("Push metrics to an OTLP receiver. Absent: no OTLP export.")
    private OtlpExportSpec otlp;

    @JsonPropertyDescription("Serve metrics for Prometheus to scrape. Absent: served.")
    private PrometheusExportSpec prometheus;

    public ExportSpec() {
    }

    public ExportSpec(OtlpExportSpec otlp, PrometheusExportSpec prometheus) {
        this.otlp = otlp;
        this.prometheus = prometheus;
    }

    public OtlpExportSpec getOtlp() {
        return otlp;
    }

    public void setOtlp(OtlpExportSpec otlp) {
        this.otlp = otlp;
    }

    public PrometheusExportSpec getPrometheus() {
        return prometheus;
    }

    public void setPrometheus(PrometheusExportSpec prometheus) {
        this.prometheus = prometheus;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExportSpec that
                && Objects.equals(otlp, that.otlp)
                && Objects.equals(prometheus, that.prometheus);
    }

    @Override
    public int hashCode() {
        return Objects.hash(otlp, prometheus);
    }
}
