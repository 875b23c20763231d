package dev.sonde.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** Pods the monitor selects. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PodsStatus {

    @JsonPropertyDescription("Running pods that match the selectors, on nodes that match nodeSelector.")
    private Integer matched;

    public PodsStatus() {
    }

    public PodsStatus(Integer matched) {
        this.matched = matched;
    }

    public Integer getMatched() {
        return matched;
    }

    public void setMatched(Integer matched) {
        this.matched = matched;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PodsStatus that && Objects.equals(matched, that.matched);
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(matched);
    }
}
