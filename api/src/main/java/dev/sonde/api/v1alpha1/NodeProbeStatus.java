package dev.sonde.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** State of one probe on one node. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NodeProbeStatus {

    @JsonPropertyDescription("The probe.")
    private ProbeName name;

    @JsonPropertyDescription("Attached, Detached (no selected pod on this node needs it), Unsupported or Failed.")
    private NodeProbeState state;

    @JsonPropertyDescription("CamelCase reason when not Attached, e.g. TracepointMissing, BtfMissing, "
            + "CapabilityMissing, AttachFailed, NotNeeded.")
    private String reason;

    @JsonPropertyDescription("Details for a person, e.g. the missing tracepoint or the libbpf error.")
    private String message;


    public ProbeName getName() {
        return name;
    }

    public void setName(ProbeName name) {
        this.name = name;
    }

    public NodeProbeState getState() {
        return state;
    }

    public void setState(NodeProbeState state) {
        this.state = state;
    }

    public String getReason() {
        return reason;
    }

    public void setReason(String reason) {
        this.reason = reason;
    }

    public String getMessage() {
        return message;
    }

    public void setMessage(String message) {
        this.message = message;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NodeProbeStatus that
                && Objects.equals(name, that.name)
                && Objects.equals(state, that.state)
                && Objects.equals(reason, that.reason)
                && Objects.equals(message, that.message);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, state, reason, message);
    }
}
