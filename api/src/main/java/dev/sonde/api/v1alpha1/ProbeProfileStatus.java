package dev.sonde.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/** Observed state of a ProbeProfile, written by the operator. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ProbeProfileStatus {

    @JsonPropertyDescription("The metadata.generation this status was computed from.")
    private Long observedGeneration;

    @JsonPropertyDescription("Current conditions of the profile; Ready summarises them.")
    private List<Condition> conditions = new ArrayList<>();

    @JsonPropertyDescription("Expected per-node cost of the profile's probes at its interval: low, medium or high.")
    private OverheadClass overheadClass;

    @JsonPropertyDescription("How many NetworkMonitors, in all namespaces, use this profile.")
    private Integer monitors;

    @JsonPropertyDescription("The profile's probe names joined by commas, e.g. tcpConnections,tcpRtt,dns, for the "
            + "PROBES printer column.")
    private String probeSummary;

    /** The PROBES column text for a profile's probes, in the order the profile lists them. */
    public static String probeSummaryOf(List<ProbeSpec> probes) {
        return probes == null ? "" : probes.stream()
                .map(p -> p.getName() == null ? "?" : p.getName().wireName())
                .collect(Collectors.joining(","));
    }

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    public List<Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions;
    }

    public OverheadClass getOverheadClass() {
        return overheadClass;
    }

    public void setOverheadClass(OverheadClass overheadClass) {
        this.overheadClass = overheadClass;
    }

    public Integer getMonitors() {
        return monitors;
    }

    public void setMonitors(Integer monitors) {
        this.monitors = monitors;
    }

    public String getProbeSummary() {
        return probeSummary;
    }

    public void setProbeSummary(String probeSummary) {
        this.probeSummary = probeSummary;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProbeProfileStatus that
                && Objects.equals(observedGeneration, that.observedGeneration)
                && Objects.equals(conditions, that.conditions)
                && overheadClass == that.overheadClass
                && Objects.equals(monitors, that.monitors)
                && Objects.equals(probeSummary, that.probeSummary);
    }

    @Override
    public int hashCode() {
        return Objects.hash(observedGeneration, conditions, overheadClass, monitors, probeSummary);
    }
}
