package dev.sonde.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/**
 * When a NetworkMonitor using the profile is Degraded or Critical. Each threshold is judged over the
 * last window (one interval, all nodes merged); an absent threshold is not judged.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HealthThresholds {

    @JsonPropertyDescription("Retransmitted TCP segments / TCP segments sent. Needs the tcpRetransmits probe.")
    private RatioThreshold retransmitRatio;

    @JsonPropertyDescription("Failed outbound connects / attempted outbound connects. Needs the tcpConnections probe.")
    private RatioThreshold connectFailureRatio;

    @JsonPropertyDescription("99th percentile of outbound connect latency (SYN sent to established). Needs the "
            + "tcpConnections probe.")
    private DurationThreshold connectLatencyP99;

    @JsonPropertyDescription("TCP resets sent plus received, per second. Needs the tcpResets probe.")
    private RateThreshold resetRate;

    @JsonPropertyDescription("Packets the kernel dropped for a reason that means loss (the packetDrops probe's lossReasons), per second. Needs the packetDrops probe.")
    private RateThreshold dropRate;

    @JsonPropertyDescription("DNS responses with an error rcode (or no response) / DNS queries. Needs the dns probe.")
    private RatioThreshold dnsErrorRatio;

    @JsonPropertyDescription("99th percentile of DNS query latency (query to response). Needs the dns probe.")
    private DurationThreshold dnsLatencyP99;

    public RatioThreshold getRetransmitRatio() {
        return retransmitRatio;
    }

    public void setRetransmitRatio(RatioThreshold retransmitRatio) {
        this.retransmitRatio = retransmitRatio;
    }

    public RatioThreshold getConnectFailureRatio() {
        return connectFailureRatio;
    }

    public void setConnectFailureRatio(RatioThreshold connectFailureRatio) {
        this.connectFailureRatio = connectFailureRatio;
    }

    public DurationThreshold getConnectLatencyP99() {
        return connectLatencyP99;
    }

    public void setConnectLatencyP99(DurationThreshold connectLatencyP99) {
        this.connectLatencyP99 = connectLatencyP99;
    }

    public RateThreshold getResetRate() {
        return resetRate;
    }

    public void setResetRate(RateThreshold resetRate) {
        this.resetRate = resetRate;
    }

    public RateThreshold getDropRate() {
        return dropRate;
    }

    public void setDropRate(RateThreshold dropRate) {
        this.dropRate = dropRate;
    }

    public RatioThreshold getDnsErrorRatio() {
        return dnsErrorRatio;
    }

    public void setDnsErrorRatio(RatioThreshold dnsErrorRatio) {
        this.dnsErrorRatio = dnsErrorRatio;
    }

    public DurationThreshold getDnsLatencyP99() {
        return dnsLatencyP99;
    }

    public void setDnsLatencyP99(DurationThreshold dnsLatencyP99) {
        this.dnsLatencyP99 = dnsLatencyP99;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HealthThresholds that
                && Objects.equals(retransmitRatio, that.retransmitRatio)
                && Objects.equals(connectFailureRatio, that.connectFailureRatio)
                && Objects.equals(connectLatencyP99, that.connectLatencyP99)
                && Objects.equals(resetRate, that.resetRate)
                && Objects.equals(dropRate, that.dropRate)
                && Objects.equals(dnsErrorRatio, that.dnsErrorRatio)
                && Objects.equals(dnsLatencyP99, that.dnsLatencyP99);
    }

    @Override
    public int hashCode() {
        return Objects.hash(retransmitRatio, connectFailureRatio, connectLatencyP99, resetRate, dropRate, dnsErrorRatio,
                dnsLatencyP99);
    }
}
