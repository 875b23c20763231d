package dev.sonde.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Whether a node agent runs a monitor's config entry as compiled. */
public enum MonitorWindowState {
    /** The entry is valid and running. */
    @JsonProperty("Active")
    ACTIVE,
    /**
     * The entry is invalid or unsupported on this agent (see the reason); the agent keeps running the monitor's
     * last valid entry, if it had one.
     */
    @JsonProperty("Failed")
    FAILED
}
