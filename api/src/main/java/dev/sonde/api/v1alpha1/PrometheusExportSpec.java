package dev.sonde.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import java.util.Objects;

/** Whether the agents serve the monitor's per-pod metrics on their Prometheus endpoint. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PrometheusExportSpec {

    @JsonPropertyDescription("Serve this monitor's metrics on each agent's /metrics endpoint. Default: true.")
    @Default("true")
    private Boolean enabled;

    public PrometheusExportSpec() {
    }

    public PrometheusExportSpec(Boolean enabled) {
        this.enabled = enabled;
    }

    public Boolean getEnabled() {
        return enabled;
    }

    public void setEnabled(Boolean enabled) {
        this.enabled = enabled;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PrometheusExportSpec that && Objects.equals(enabled, that.enabled);
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(enabled);
    }
}
