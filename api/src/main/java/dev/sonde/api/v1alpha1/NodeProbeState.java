package dev.sonde.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** State of one probe on one node, as the node agent reports it. */
public enum NodeProbeState {
    /** Programs are loaded and attached. */
    @JsonProperty("Attached")
    ATTACHED,
    /** No selected pod on this node needs the probe, so nothing is attached. */
    @JsonProperty("Detached")
    DETACHED,
    /** This kernel can't run the probe (missing tracepoint, BTF or capability); see the reason. */
    @JsonProperty("Unsupported")
    UNSUPPORTED,
    /** Loading or attaching failed for another reason; see the message. */
    @JsonProperty("Failed")
    FAILED
}
