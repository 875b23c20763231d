package dev.sonde.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** State of one of the profile's probes for this monitor, over the nodes it needs. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ProbeStatus {

    @JsonPropertyDescription("The probe.")
    private ProbeName name;

    @JsonPropertyDescription("Attached when attached on every node, else Failed if it failed on any node, else "
            + "Unsupported.")
    private ProbeState state;

    @JsonPropertyDescription("Nodes where the probe is attached.")
    private Integer attachedNodes;

    @JsonPropertyDescription("Nodes whose kernel can't run the probe.")
    private Integer unsupportedNodes;

    @JsonPropertyDescription("Nodes where attaching the probe failed.")
    private Integer failedNodes;

    @JsonPropertyDescription("Why the probe is not attached everywhere, with an example node, e.g. \"node-b: tracepoint "
            + "tcp/tcp_probe not found\". Empty when Attached.")
    private String message;

    public ProbeStatus() {
    }

    public ProbeStatus(ProbeName name, ProbeState state, Integer attachedNodes, Integer unsupportedNodes,
            Integer failedNodes, String message) {
        this.name = name;
        this.state = state;
        this.attachedNodes = attachedNodes;
        this.unsupportedNodes = unsupportedNodes;
        this.failedNodes = failedNodes;
        this.message = message;
    }

    public ProbeName getName() {
        return name;
    }

    public void setName(ProbeName name) {
        this.name = name;
    }

    public ProbeState getState() {
        return state;
    }

    public void setState(ProbeState state) {
        this.state = state;
    }

    public Integer getAttachedNodes() {
        return attachedNodes;
    }

    public void setAttachedNodes(Integer attachedNodes) {
        this.attachedNodes = attachedNodes;
    }

    public Integer getUnsupportedNodes() {
        return unsupportedNodes;
    }

    public void setUnsupportedNodes(Integer unsupportedNodes) {
        this.unsupportedNodes = unsupportedNodes;
    }

    public Integer getFailedNodes() {
        return failedNodes;
    }

    public void setFailedNodes(Integer failedNodes) {
        this.failedNodes = failedNodes;
    }

    public String getMessage() {
        return message;
    }

    public void setMessage(String message) {
        this.message = message;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProbeStatus that
                && name == that.name
                && state == that.state
                && Objects.equals(attachedNodes, that.attachedNodes)
                && Objects.equals(unsupportedNodes, that.unsupportedNodes)
                && Objects.equals(failedNodes, that.failedNodes)
                && Objects.equals(message, that.message);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, state, attachedNodes, unsupportedNodes, failedNodes, message);
    }
}
