package dev.sonde.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Health of a NetworkMonitor, judged against its profile's thresholds over the last window. */
public enum HealthState {
    @JsonProperty("Healthy")
    HEALTHY,
    @JsonProperty("Degraded")
    DEGRADED,
    @JsonProperty("Critical")
    CRITICAL,
    @JsonProperty("Unknown")
    UNKNOWN
}
