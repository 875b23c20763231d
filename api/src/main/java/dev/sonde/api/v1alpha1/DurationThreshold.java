package dev.sonde.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Objects;

/** Health levels for a latency, written as a duration (250ms, 1.5s). A window above a level has that health. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.degraded) || has(self.critical)", message = "set degraded, critical or both")
@ValidationRule(
        value = "!has(self.degraded) || !has(self.critical)"
                + " || !self.degraded.matches('" + Validation.DURATION_REGEX + "')"
                + " || !self.critical.matches('" + Validation.DURATION_REGEX + "')"
                + " || duration(self.degraded) <= duration(self.critical)",
        message = "degraded must be less than or equal to critical")
public class DurationThreshold {

    @JsonPropertyDescription("The monitor is Degraded when the latency over the last window is above this duration, "
            + "e.g. 100ms.")
    @Size(max = 32)
    @ValidationRule(value = Validation.IS_DURATION, message = Validation.DURATION_MESSAGE)
    private String degraded;

    @JsonPropertyDescription("The monitor is Critical when the latency over the last window is above this duration, "
            + "e.g. 1s.")
    @Size(max = 32)
    @ValidationRule(value = Validation.IS_DURATION, message = Validation.DURATION_MESSAGE)
    private String critical;

    public DurationThreshold() {
    }

    public DurationThreshold(String degraded, String critical) {
        this.degraded = degraded;
        this.critical = critical;
    }

    public String getDegraded() {
        return degraded;
    }

    public void setDegraded(String degraded) {
        this.degraded = degraded;
    }

    public String getCritical() {
        return critical;
    }

    public void setCritical(String critical) {
        this.critical = critical;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DurationThreshold that
                && Objects.equals(degraded, that.degraded)
                && Objects.equals(critical, that.critical);
    }

    @Override
    public int hashCode() {
        return Objects.hash(degraded, critical);
    }
}
