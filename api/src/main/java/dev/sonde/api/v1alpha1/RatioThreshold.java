package dev.sonde.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Objects;

/** Health levels for a ratio in [0, 1], e.g. 0.02 for 2%. A window above a level has that health. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.degraded) || has(self.critical)", message = "set degraded, critical or both")
@ValidationRule(value = "!has(self.degraded) || !has(self.critical) || self.degraded <= self.critical",
        message = "degraded must be less than or equal to critical")
public class RatioThreshold {

    @JsonPropertyDescription("The monitor is Degraded when the ratio over the last window is above this value (0 to 1, "
            + "e.g. 0.01 for 1%).")
    @Min(0)
    @Max(1)
    private Double degraded;

    @JsonPropertyDescription("The monitor is Critical when the ratio over the last window is above this value (0 to 1, "
            + "e.g. 0.05 for 5%).")
    @Min(0)
    @Max(1)
    private Double critical;

    public RatioThreshold() {
    }

    public RatioThreshold(Double degraded, Double critical) {
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
        return o instanceof RatioThreshold that
                && Objects.equals(degraded, that.degraded)
                && Objects.equals(critical, that.critical);
    }

    @Override
    public int hashCode() {
        return Objects.hash(degraded, critical);
    }
}
