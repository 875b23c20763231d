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
                && Objects.equals(pods, that.pods)
                && Objects.equals(counters, that.counters)
                && Objects.equals(connectLatency, that.connectLatency)
                && Objects.equals(rtt, that.rtt)
                && Objects.equals(dnsLatency, that.dnsLatency);
    }

    @Override
    public int hashCode() {
        return Objects.hash(namespace, name, uid, pods, counters, connectLatency, rtt, dnsLatency);
    }
}
