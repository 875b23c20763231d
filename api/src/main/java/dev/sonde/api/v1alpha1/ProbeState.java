package dev.sonde.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** State of one probe for a NetworkMonitor, summed over the nodes it runs on. */
public enum ProbeState {
    /** Attached on every node that needs it. */
    @JsonProperty("Attached")
    ATTACHED,
    /** The kernel of at least one node can't run it (missing tracepoint, BTF or capability). */
    @JsonProperty("Unsupported")
    UNSUPPORTED,
    /** Attaching failed on at least one node for another reason. */
    @JsonProperty("Failed")
    FAILED
}
