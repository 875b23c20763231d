package dev.sonde.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** Nodes that run at least one selected pod, and how their agents are doing for this monitor. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NodesStatus {

    @JsonPropertyDescription("Nodes running at least one selected pod.")
    private Integer desired;

    @JsonPropertyDescription("Of those, nodes whose agent reported for the last window with every probe attached or "
            + "unsupported.")
    private Integer ready;

    @JsonPropertyDescription("Of those, nodes where a probe failed or the agent has not reported recently.")
    private Integer failed;

    @JsonPropertyDescription("ready/desired, e.g. 2/3, for the NODES printer column.")
    private String summary;

    public NodesStatus() {
    }

    public NodesStatus(Integer desired, Integer ready, Integer failed) {
        this.desired = desired;
        this.ready = ready;
        this.failed = failed;
        this.summary = summaryOf(ready, desired);
    }

    /** The printer-column form, {@code ready/desired}. */
    public static String summaryOf(Integer ready, Integer desired) {
        return (ready == null ? 0 : ready) + "/" + (desired == null ? 0 : desired);
    }

    public Integer getDesired() {
        return desired;
    }

    public void setDesired(Integer desired) {
        this.desired = desired;
    }

    public Integer getReady() {
        return ready;
    }

    public void setReady(Integer ready) {
        this.ready = ready;
    }

    public Integer getFailed() {
        return failed;
    }

    public void setFailed(Integer failed) {
        this.failed = failed;
    }

    public String getSummary() {
        return summary;
    }

    public void setSummary(String summary) {
        this.summary = summary;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NodesStatus that
                && Objects.equals(desired, that.desired)
                && Objects.equals(ready, that.ready)
                && Objects.equals(failed, that.failed)
                && Objects.equals(summary, that.summary);
    }

    @Override
    public int hashCode() {
        return Objects.hash(desired, ready, failed, summary);
    }
}
