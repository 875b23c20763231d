package dev.sonde.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Objects;

/**
 * Health levels for a rate in events per second, summed over the monitor's pods. A window above a level has that
 * health.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.degraded) || has(self.critical)", message = "set degraded, critical or both")
@ValidationRule(value = "!has(self.degraded) || !has(self.critical) || self.degraded <= self.critical",
        message = "degraded must be less than or equal to critical")
public class RateThreshold {

    @JsonPropertyDescription("The monitor is Degraded when the rate over the last window is above this many per second "
            + "(0 means any event).")
    @Min(0)
    private Double degraded;

    @JsonPropertyDescription("The monitor is Critical when the rate over the last window is above this many per second "
            + "(0 means any event).")
    @Min(0)
    private Double critical;

    public RateThreshold() {
    }

    public RateThreshold(Double degraded, Double critical) {
        this.degraded = degraded;
        this.critical = critical;
    }

    public Double getDegraded() {
        return degraded;
    }

    public void setDegraded(Double degraded) {
        this.degraded = degraded;
    }

    public Double getCritical() {
        return critical;
    }

    public void setCritical(Double critical) {
        this.critical = critical;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RateThreshold that
                && Objects.equals(degraded, that.degraded)
                && Objects.equals(critical, that.critical);
    }

    @Override
    public int hashCode() {
        return Objects.hash(degraded, critical);
    }
}
