package dev.sonde.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Expected per-node cost of a ProbeProfile, computed by the operator from its probes and interval. */
public enum OverheadClass {
    @JsonProperty("low")
    LOW,
    @JsonProperty("medium")
    MEDIUM,
    @JsonProperty("high")
    HIGH
}
