package dev.sonde.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Observed state of a NetworkMonitor. Written only by the operator, from the agents' AgentReports. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NetworkMonitorStatus {

    @JsonPropertyDescription("The metadata.generation this status was computed from.")
    private Long observedGeneration;

    @JsonPropertyDescription("Current conditions of the monitor; Ready summarises them (kubectl wait "
            + "--for=condition=Ready).")
    private List<Condition> conditions = new ArrayList<>();

    @JsonPropertyDescription("Healthy, Degraded or Critical against the profile's thresholds over the last window; "
            + "Unknown before the first window or while no node reports.")
    private HealthState health;

    @JsonPropertyDescription("The thresholds that made health Degraded or Critical; empty when Healthy.")
    private List<HealthReason> healthReasons = new ArrayList<>();

    @JsonPropertyDescription("Pods the monitor selects.")
    private PodsStatus pods;

    @JsonPropertyDescription("Nodes that run selected pods, and how many of their agents are ready.")
    private NodesStatus nodes;

    @JsonPropertyDescription("Per-probe state over the nodes, one entry per probe of the profile.")
    private List<ProbeStatus> probes = new ArrayList<>();

    @JsonPropertyDescription("Traffic over the last window, all nodes merged.")
    private WindowSummary summary;

    @JsonPropertyDescription("The few peers behind the last window's health (flows probe), all nodes merged: the ones "
            + "with the most failed connects, retransmits and resets, then the busiest; at most 5.")
    private List<PeerWindow> peers;

    @JsonPropertyDescription("When the newest AgentReport folded into this status was written, RFC 3339.")
    private String lastReportTime;

    public List<PeerWindow> getPeers() {
        return peers;
    }

    public void setPeers(List<PeerWindow> peers) {
        this.peers = peers;
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

    public HealthState getHealth() {
        return health;
    }

    public void setHealth(HealthState health) {
        this.health = health;
    }

    public List<HealthReason> getHealthReasons() {
        return healthReasons;
    }

    public void setHealthReasons(List<HealthReason> healthReasons) {
        this.healthReasons = healthReasons;
    }

    public PodsStatus getPods() {
        return pods;
    }

    public void setPods(PodsStatus pods) {
        this.pods = pods;
    }

    public NodesStatus getNodes() {
        return nodes;
    }

    public void setNodes(NodesStatus nodes) {
        this.nodes = nodes;
    }

    public List<ProbeStatus> getProbes() {
        return probes;
    }

    public void setProbes(List<ProbeStatus> probes) {
        this.probes = probes;
    }

    public WindowSummary getSummary() {
        return summary;
    }

    public void setSummary(WindowSummary summary) {
        this.summary = summary;
    }

    public String getLastReportTime() {
        return lastReportTime;
    }

    public void setLastReportTime(String lastReportTime) {
        this.lastReportTime = lastReportTime;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NetworkMonitorStatus that
                && Objects.equals(observedGeneration, that.observedGeneration)
                && Objects.equals(conditions, that.conditions)
                && health == that.health
                && Objects.equals(healthReasons, that.healthReasons)
                && Objects.equals(pods, that.pods)
                && Objects.equals(nodes, that.nodes)
                && Objects.equals(probes, that.probes)
                && Objects.equals(summary, that.summary)
                && Objects.equals(lastReportTime, that.lastReportTime)
                && Objects.equals(peers, that.peers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(observedGeneration, conditions, health, healthReasons, pods, nodes, probes, summary,
                lastReportTime, peers);
    }
}
