package dev.sonde.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/**
 * The monitor's traffic over the last window (one interval), all nodes merged. Ratios are in [0, 1] and
 * rounded to 4 decimals, rates are per second, latencies are durations such as 850µs or 12.5ms. A field is
 * absent when its probe is not in the profile or there was nothing to measure (e.g. no connects).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class WindowSummary {

    @JsonPropertyDescription("Start of the window, RFC 3339.")
    private String windowStart;

    @JsonPropertyDescription("End of the window, RFC 3339.")
    private String windowEnd;

    @JsonPropertyDescription("TCP connections opened (active plus passive) per second.")
    private Double connectionsPerSecond;

    @JsonPropertyDescription("Failed outbound connects / attempted outbound connects, 0 to 1.")
    private Double connectFailureRatio;

    @JsonPropertyDescription("Median outbound connect latency, as a duration, e.g. 1.2ms.")
    private String connectLatencyP50;

    @JsonPropertyDescription("99th percentile outbound connect latency, as a duration, e.g. 12ms.")
    private String connectLatencyP99;

    @JsonPropertyDescription("Retransmitted TCP segments / TCP segments sent, 0 to 1.")
    private Double retransmitRatio;

    @JsonPropertyDescription("TCP resets sent plus received per second.")
    private Double resetsPerSecond;

    @JsonPropertyDescription("Packets the kernel dropped for a loss reason (packetDrops lossReasons), per second.")
    private Double dropsPerSecond;

    @JsonPropertyDescription("Median smoothed TCP round-trip time, as a duration.")
    private String rttP50;

    @JsonPropertyDescription("99th percentile smoothed TCP round-trip time, as a duration.")
    private String rttP99;

    @JsonPropertyDescription("DNS queries answered with an error rcode or not answered / DNS queries, 0 to 1.")
    private Double dnsErrorRatio;

    @JsonPropertyDescription("99th percentile DNS query latency, as a duration.")
    private String dnsLatencyP99;

    @JsonPropertyDescription("Bytes sent by the selected pods per second.")
    private Double transmitBytesPerSecond;

    @JsonPropertyDescription("Bytes received by the selected pods per second.")
    private Double receiveBytesPerSecond;

    public String getWindowStart() {
        return windowStart;
    }

    public void setWindowStart(String windowStart) {
        this.windowStart = windowStart;
    }

    public String getWindowEnd() {
        return windowEnd;
    }

    public void setWindowEnd(String windowEnd) {
        this.windowEnd = windowEnd;
    }

    public Double getConnectionsPerSecond() {
        return connectionsPerSecond;
    }

    public void setConnectionsPerSecond(Double connectionsPerSecond) {
        this.connectionsPerSecond = connectionsPerSecond;
    }

    public Double getConnectFailureRatio() {
        return connectFailureRatio;
    }

    public void setConnectFailureRatio(Double connectFailureRatio) {
        this.connectFailureRatio = connectFailureRatio;
    }

    public String getConnectLatencyP50() {
        return connectLatencyP50;
    }

    public void setConnectLatencyP50(String connectLatencyP50) {
        this.connectLatencyP50 = connectLatencyP50;
    }

    public String getConnectLatencyP99() {
        return connectLatencyP99;
    }

    public void setConnectLatencyP99(String connectLatencyP99) {
        this.connectLatencyP99 = connectLatencyP99;
    }

    public Double getRetransmitRatio() {
        return retransmitRatio;
    }

    public void setRetransmitRatio(Double retransmitRatio) {
        this.retransmitRatio = retransmitRatio;
    }

    public Double getResetsPerSecond() {
        return resetsPerSecond;
    }

    public void setResetsPerSecond(Double resetsPerSecond) {
        this.resetsPerSecond = resetsPerSecond;
    }

    public Double getDropsPerSecond() {
        return dropsPerSecond;
    }

    public void setDropsPerSecond(Double dropsPerSecond) {
        this.dropsPerSecond = dropsPerSecond;
    }

    public String getRttP50() {
        return rttP50;
    }

    public void setRttP50(String rttP50) {
        this.rttP50 = rttP50;
    }

    public String getRttP99() {
        return rttP99;
    }

    public void setRttP99(String rttP99) {
        this.rttP99 = rttP99;
    }

    public Double getDnsErrorRatio() {
        return dnsErrorRatio;
    }

    public void setDnsErrorRatio(Double dnsErrorRatio) {
        this.dnsErrorRatio = dnsErrorRatio;
    }

    public String getDnsLatencyP99() {
        return dnsLatencyP99;
    }

    public void setDnsLatencyP99(String dnsLatencyP99) {
        this.dnsLatencyP99 = dnsLatencyP99;
    }

    public Double getTransmitBytesPerSecond() {
        return transmitBytesPerSecond;
    }

    public void setTransmitBytesPerSecond(Double transmitBytesPerSecond) {
        this.transmitBytesPerSecond = transmitBytesPerSecond;
    }

    public Double getReceiveBytesPerSecond() {
        return receiveBytesPerSecond;
    }

    public void setReceiveBytesPerSecond(Double receiveBytesPerSecond) {
        this.receiveBytesPerSecond = receiveBytesPerSecond;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WindowSummary that
                && Objects.equals(windowStart, that.windowStart)
                && Objects.equals(windowEnd, that.windowEnd)
                && Objects.equals(connectionsPerSecond, that.connectionsPerSecond)
                && Objects.equals(connectFailureRatio, that.connectFailureRatio)
                && Objects.equals(connectLatencyP50, that.connectLatencyP50)
                && Objects.equals(connectLatencyP99, that.connectLatencyP99)
                && Objects.equals(retransmitRatio, that.retransmitRatio)
                && Objects.equals(resetsPerSecond, that.resetsPerSecond)
                && Objects.equals(dropsPerSecond, that.dropsPerSecond)
                && Objects.equals(rttP50, that.rttP50)
                && Objects.equals(rttP99, that.rttP99)
                && Objects.equals(dnsErrorRatio, that.dnsErrorRatio)
                && Objects.equals(dnsLatencyP99, that.dnsLatencyP99)
                && Objects.equals(transmitBytesPerSecond, that.transmitBytesPerSecond)
                && Objects.equals(receiveBytesPerSecond, that.receiveBytesPerSecond);
    }

    @Override
    public int hashCode() {
        return Objects.hash(windowStart, windowEnd, connectionsPerSecond, connectFailureRatio, connectLatencyP50,
                connectLatencyP99, retransmitRatio, resetsPerSecond, dropsPerSecond, rttP50, rttP99,
                dnsErrorRatio, dnsLatencyP99, transmitBytesPerSecond, receiveBytesPerSecond);
    }
}
