package dev.sonde.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Objects;

/** One probe of a ProbeProfile: its name and, for probes that have them, its parameters. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(fieldPath = ".dns", value = "!has(self.dns) || self.name == 'dns'",
        message = "dns parameters can only be set on the probe named dns")
@ValidationRule(fieldPath = ".packetDrops", value = "!has(self.packetDrops) || self.name == 'packetDrops'",
        message = "packetDrops parameters can only be set on the probe named packetDrops")
@ValidationRule(fieldPath = ".flows", value = "!has(self.flows) || self.name == 'flows'",
        message = "flows parameters can only be set on the probe named flows")
public class ProbeSpec {

    @JsonPropertyDescription("The probe: tcpConnections (connects, accepts, connect failures and latency), "
            + "tcpRetransmits, tcpResets (sent and received), tcpRtt (smoothed RTT histogram), traffic (bytes and packets "
            + "sent and received), packetDrops (by kernel drop reason), dns (queries, errors by rcode, latency) or flows (the same per peer: who "
            + "each pod talks to).")
    @Required
    private ProbeName name;

    @JsonPropertyDescription("Parameters of the dns probe; only allowed when name is dns.")
    private DnsProbeParameters dns;

    @JsonPropertyDescription("Parameters of the packetDrops probe; only allowed when name is packetDrops.")
    private PacketDropsProbeParameters packetDrops;

    @JsonPropertyDescription("Parameters of the flows probe; only allowed when name is flows.")
    private FlowsProbeParameters flows;

    public ProbeSpec() {
    }

    public ProbeSpec(ProbeName name) {
        this.name = name;
    }

    public ProbeName getName() {
        return name;
    }

    public void setName(ProbeName name) {
        this.name = name;
    }

    public DnsProbeParameters getDns() {
        return dns;
    }

    public void setDns(DnsProbeParameters dns) {
        this.dns = dns;
    }

    public PacketDropsProbeParameters getPacketDrops() {
        return packetDrops;
    }

    public void setPacketDrops(PacketDropsProbeParameters packetDrops) {
        this.packetDrops = packetDrops;
    }

    public FlowsProbeParameters getFlows() {
        return flows;
    }

    public void setFlows(FlowsProbeParameters flows) {
        this.flows = flows;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProbeSpec that
                && name == that.name
                && Objects.equals(dns, that.dns)
                && Objects.equals(packetDrops, that.packetDrops)
                && Objects.equals(flows, that.flows);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dns, packetDrops, flows);
    }
}
