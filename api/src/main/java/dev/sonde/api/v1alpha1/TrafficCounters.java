package dev.sonde.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** Event counts of one monitor's pods on one node over one window. Absent: the probe that counts it is not running. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrafficCounters {

    @JsonPropertyDescription("Outbound TCP connects attempted (tcpConnections).")
    private Long connectsActive;

    @JsonPropertyDescription("Inbound TCP connections accepted (tcpConnections).")
    private Long connectsPassive;

    @JsonPropertyDescription("Outbound TCP connects that failed: refused, reset or timed out (tcpConnections).")
    private Long connectFailures;

    @JsonPropertyDescription("TCP segments sent, retransmissions not included (as TcpOutSegs counts them): the denominator of the retransmit ratio (tcpRetransmits).")
    private Long segmentsSent;

    @JsonPropertyDescription("TCP segments retransmitted (tcpRetransmits).")
    private Long retransmits;

    @JsonPropertyDescription("TCP resets sent (tcpResets).")
    private Long resetsSent;

    @JsonPropertyDescription("TCP resets received (tcpResets).")
    private Long resetsReceived;

    @JsonPropertyDescription("Bytes sent (traffic).")
    private Long bytesSent;

    @JsonPropertyDescription("Bytes received (traffic).")
    private Long bytesReceived;

    @JsonPropertyDescription("Packets sent (traffic).")
    private Long packetsSent;

    @JsonPropertyDescription("Packets received (traffic).")
    private Long packetsReceived;

    @JsonPropertyDescription("Packets the kernel dropped for a reason that means loss (packetDrops lossReasons; the metrics have every reason).")
    private Long drops;

    @JsonPropertyDescription("DNS queries sent (dns).")
    private Long dnsQueries;

    @JsonPropertyDescription("DNS queries answered with an error rcode or not answered within the window (dns).")
    private Long dnsErrors;


    public Long getConnectsActive() {
        return connectsActive;
    }

    public void setConnectsActive(Long connectsActive) {
        this.connectsActive = connectsActive;
    }

    public Long getConnectsPassive() {
        return connectsPassive;
    }

    public void setConnectsPassive(Long connectsPassive) {
        this.connectsPassive = connectsPassive;
    }

    public Long getConnectFailures() {
        return connectFailures;
    }

    public void setConnectFailures(Long connectFailures) {
        this.connectFailures = connectFailures;
    }

    public Long getSegmentsSent() {
        return segmentsSent;
    }

    public void setSegmentsSent(Long segmentsSent) {
        this.segmentsSent = segmentsSent;
    }

    public Long getRetransmits() {
        return retransmits;
    }

    public void setRetransmits(Long retransmits) {
        this.retransmits = retransmits;
    }

    public Long getResetsSent() {
        return resetsSent;
    }

    public void setResetsSent(Long resetsSent) {
        this.resetsSent = resetsSent;
    }

    public Long getResetsReceived() {
        return resetsReceived;
    }

    public void setResetsReceived(Long resetsReceived) {
        this.resetsReceived = resetsReceived;
    }

    public Long getBytesSent() {
        return bytesSent;
    }

    public void setBytesSent(Long bytesSent) {
        this.bytesSent = bytesSent;
    }

    public Long getBytesReceived() {
        return bytesReceived;
    }

    public void setBytesReceived(Long bytesReceived) {
        this.bytesReceived = bytesReceived;
    }

    public Long getPacketsSent() {
        return packetsSent;
    }

    public void setPacketsSent(Long packetsSent) {
        this.packetsSent = packetsSent;
    }

    public Long getPacketsReceived() {
        return packetsReceived;
    }

    public void setPacketsReceived(Long packetsReceived) {
        this.packetsReceived = packetsReceived;
    }

    public Long getDrops() {
        return drops;
    }

    public void setDrops(Long drops) {
        this.drops = drops;
    }

    public Long getDnsQueries() {
        return dnsQueries;
    }

    public void setDnsQueries(Long dnsQueries) {
        this.dnsQueries = dnsQueries;
    }

    public Long getDnsErrors() {
        return dnsErrors;
    }

    public void setDnsErrors(Long dnsErrors) {
        this.dnsErrors = dnsErrors;
    }

    /**
     * The sum of two windows' counts (other nodes, or the same node's next window): a counter is absent only when
     * absent from both. A new object; neither input changes.
     */
    public TrafficCounters plus(TrafficCounters other) {
        TrafficCounters sum = new TrafficCounters();
        sum.connectsActive = add(connectsActive, other.connectsActive);
        sum.connectsPassive = add(connectsPassive, other.connectsPassive);
        sum.connectFailures = add(connectFailures, other.connectFailures);
        sum.segmentsSent = add(segmentsSent, other.segmentsSent);
        sum.retransmits = add(retransmits, other.retransmits);
        sum.resetsSent = add(resetsSent, other.resetsSent);
        sum.resetsReceived = add(resetsReceived, other.resetsReceived);
        sum.bytesSent = add(bytesSent, other.bytesSent);
        sum.bytesReceived = add(bytesReceived, other.bytesReceived);
        sum.packetsSent = add(packetsSent, other.packetsSent);
        sum.packetsReceived = add(packetsReceived, other.packetsReceived);
        sum.drops = add(drops, other.drops);
        sum.dnsQueries = add(dnsQueries, other.dnsQueries);
        sum.dnsErrors = add(dnsErrors, other.dnsErrors);
        return sum;
    }

    private static Long add(Long a, Long b) {
        if (b == null) {
            return a;
        }
        return a == null ? b : Long.valueOf(a + b);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrafficCounters that
                && Objects.equals(connectsActive, that.connectsActive)
                && Objects.equals(connectsPassive, that.connectsPassive)
                && Objects.equals(connectFailures, that.connectFailures)
                && Objects.equals(segmentsSent, that.segmentsSent)
                && Objects.equals(retransmits, that.retransmits)
                && Objects.equals(resetsSent, that.resetsSent)
                && Objects.equals(resetsReceived, that.resetsReceived)
                && Objects.equals(bytesSent, that.bytesSent)
                && Objects.equals(bytesReceived, that.bytesReceived)
                && Objects.equals(packetsSent, that.packetsSent)
                && Objects.equals(packetsReceived, that.packetsReceived)
                && Objects.equals(drops, that.drops)
                && Objects.equals(dnsQueries, that.dnsQueries)
                && Objects.equals(dnsErrors, that.dnsErrors);
    }

    @Override
    public int hashCode() {
        return Objects.hash(connectsActive, connectsPassive, connectFailures, segmentsSent, retransmits, resetsSent,
                resetsReceived, bytesSent, bytesReceived, packetsSent, packetsReceived, drops, dnsQueries,
                dnsErrors);
    }
}
