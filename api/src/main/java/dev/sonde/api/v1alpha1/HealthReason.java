package dev.sonde.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** One threshold that tripped, with the value that tripped it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HealthReason {

    @JsonPropertyDescription("The threshold in the profile's spec.health, e.g. retransmitRatio.")
    private String threshold;

    @JsonPropertyDescription("The level it crossed: Degraded or Critical.")
    private HealthState level;

    @JsonPropertyDescription("The value over the last window, in the threshold's unit, e.g. 0.031 or 420ms.")
    private String observed;

    @JsonPropertyDescription("The level's limit from the profile, e.g. 0.02 or 250ms.")
    private String limit;

    @JsonPropertyDescription("The same in words, e.g. \"retransmit ratio 3.1% is above the degraded level 2%\".")
    private String message;

    public HealthReason() {
    }

    public HealthReason(String threshold, HealthState level, String observed, String limit, String message) {
        this.threshold = threshold;
        this.level = level;
        this.observed = observed;
        this.limit = limit;
        this.message = message;
    }

    public String getThreshold() {
        return threshold;
    }

    public void setThreshold(String threshold) {
        this.threshold = threshold;
    }

    public HealthState getLevel() {
        return level;
    }

    public void setLevel(HealthState level) {
        this.level = level;
    }

    public String getObserved() {
        return observed;
    }

    public void setObserved(String observed) {
        this.observed = observed;
    }

    public String getLimit() {
        return limit;
    }

    public void setLimit(String limit) {
        this.limit = limit;
    }

    public String getMessage() {
        return message;
    }

    public void setMessage(String message) {
        this.message = message;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HealthReason that
                && Objects.equals(threshold, that.threshold)
                && level == that.level
                && Objects.equals(observed, that.observed)
                && Objects.equals(limit, that.limit)
                && Objects.equals(message, that.message);
    }

    @Override
    public int hashCode() {
        return Objects.hash(threshold, level, observed, limit, message);
    }
}
