package dev.sonde.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** One NetworkMonitor's aggregates on this node over the report's window. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MonitorWindow {

    @JsonPropertyDescription("Namespace of the NetworkMonitor.")
    private String namespace;

    @JsonPropertyDescription("Name of the NetworkMonitor.")
    private String name;

    @JsonPropertyDescription("metadata.uid of the NetworkMonitor, so a re-created monitor of the same name is not mixed "
            + "up.")
    private String uid;

    @JsonPropertyDescription("Active: the agent runs the monitor's config entry. Failed: the entry is invalid or "
            + "unsupported on this agent (see reason and message); the agent keeps the entry's last valid version "
            + "running, if it had one.")
    private MonitorWindowState state;

    @JsonPropertyDescription("Why the state is Failed (CamelCase): InvalidConfigEntry, UnsupportedProbe or "
            + "InvalidExport (agents before headersSecretRef support also report UnsupportedExport).")
    private String reason;

    @JsonPropertyDescription("What the agent found wrong, for humans.")
    private String message;

    @JsonPropertyDescription("Selected pods on this node during the window.")
    private Integer pods;

    @JsonPropertyDescription("Event counts over the window.")
    private TrafficCounters counters;

    @JsonPropertyDescription("Outbound connect latency, SYN sent to established (tcpConnections).")
    private Log2Histogram connectLatency;

    @JsonPropertyDescription("Smoothed TCP round-trip time samples (tcpRtt).")
    private Log2Histogram rtt;

    @JsonPropertyDescription("DNS query latency, query to response (dns).")
    private Log2Histogram dnsLatency;

    @JsonPropertyDescription("The peers with the most failed connects, retransmits, resets and connections over the "
            + "window, at most 20 (flows), named as far as the monitor may know them.")
    private java.util.List<PeerWindow> peers;

    @JsonPropertyDescription("Connections and UDP datagrams of the monitor's pods not counted per peer because a pod "
            + "was at its flow budget (flows maxPeersPerPod).")
    private Long refusedFlows;


    public java.util.List<PeerWindow> getPeers() {
        return peers;
    }

    public void setPeers(java.util.List<PeerWindow> peers) {
        this.peers = peers;
    }

    public Long getRefusedFlows() {
        return refusedFlows;
    }

    public void setRefusedFlows(Long refusedFlows) {
        this.refusedFlows = refusedFlows;
    }

    public String getNamespace() {
        return namespace;
    }

    public void setNamespace(String namespace) {
        this.namespace = namespace;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getUid() {
        return uid;
    }

    public void setUid(String uid) {
        this.uid = uid;
    }

    public MonitorWindowState getState() {
        return state;
    }

    public void setState(MonitorWindowState state) {
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

    public Integer getPods() {
        return pods;
    }

    public void setPods(Integer pods) {
        this.pods = pods;
    }

    public TrafficCounters getCounters() {
        return counters;
    }

    public void setCounters(TrafficCounters counters) {
        this.counters = counters;
    }

    public Log2Histogram getConnectLatency() {
        return connectLatency;
    }

    public void setConnectLatency(Log2Histogram connectLatency) {
        this.connectLatency = connectLatency;
    }

    public Log2Histogram getRtt() {
        return rtt;
    }

    public void setRtt(Log2Histogram rtt) {
        this.rtt = rtt;
    }

    public Log2Histogram getDnsLatency() {
        return dnsLatency;
    }

    public void setDnsLatency(Log2Histogram dnsLatency) {
        this.dnsLatency = dnsLatency;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MonitorWindow that
                && Objects.equals(namespace, that.namespace)
                && Objects.equals(name, that.name)
                && Objects.equals(uid, that.uid)
                && state == that.state
                && Objects.equals(reason, that.reason)
                && Objects.equals(message, that.message)
                && Objects.equals(pods, that.pods)
                && Objects.equals(counters, that.counters)
                && Objects.equals(connectLatency, that.connectLatency)
                && Objects.equals(rtt, that.rtt)
                && Objects.equals(dnsLatency, that.dnsLatency)
                && Objects.equals(peers, that.peers)
                && Objects.equals(refusedFlows, that.refusedFlows);
    }

    @Override
    public int hashCode() {
        return Objects.hash(namespace, name, uid, state, reason, message, pods, counters, connectLatency, rtt, dnsLatency,
                peers, refusedFlows);
    }
}
