package dev.sonde.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The probes a ProbeProfile can enable; the wire names are part of the API contract. */
public enum ProbeName {
    @JsonProperty("tcpConnections")
    TCP_CONNECTIONS("tcpConnections"),
    @JsonProperty("tcpRetransmits")
    TCP_RETRANSMITS("tcpRetransmits"),
    @JsonProperty("tcpResets")
    TCP_RESETS("tcpResets"),
    @JsonProperty("tcpRtt")
    TCP_RTT("tcpRtt"),
    @JsonProperty("traffic")
    TRAFFIC("traffic"),
    @JsonProperty("packetDrops")
    PACKET_DROPS("packetDrops"),
    @JsonProperty("dns")
    DNS("dns"),
    @JsonProperty("flows")
    FLOWS("flows");

    private final String wireName;

    ProbeName(String wireName) {
        this.wireName = wireName;
    }

    /** The name as written in YAML, e.g. {@code tcpRtt}. */
    public String wireName() {
        return wireName;
    }

    public static ProbeName fromWireName(String name) {
        for (ProbeName probe : values()) {
            if (probe.wireName.equals(name)) {
                return probe;
            }
        }
        throw new IllegalArgumentException("unknown probe name: " + name);
    }

    @Override
    public String toString() {
        return wireName;
    }
}
