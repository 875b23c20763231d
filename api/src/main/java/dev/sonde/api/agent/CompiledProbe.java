package dev.sonde.api.agent;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.sonde.api.v1alpha1.ProbeName;
import dev.sonde.api.v1alpha1.ProbeSpec;
import java.util.List;
import java.util.Objects;

/**
 * One probe with its parameters resolved: defaults filled in, so the agent never applies defaults itself.
 *
 * @param name the probe
 * @param dnsPorts for dns only: server ports whose traffic is parsed as DNS, ascending
 * @param lossDropReasons for packetDrops only: the kernel drop reasons (names without SKB_DROP_REASON_) that count as
 *     loss for health, sorted
 * @param flows for flows only: its parameters
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CompiledProbe(ProbeName name, List<Integer> dnsPorts, List<String> lossDropReasons, CompiledFlows flows) {

    public static final List<Integer> DEFAULT_DNS_PORTS = List.of(53);
    /**
     * Drop reasons that mean packets were lost to the application: full queues, buffers and rings, memory pressure,
     * corrupt or truncated packets, routing and neighbour failures, fragments never reassembled, and filters on the
     * path (netfilter, tc, XDP, cgroup egress: a NetworkPolicy drop is loss to the application). Not the reasons of
     * normal operation (QUEUE_PURGE, SOCKET_CLOSE, NO_SOCKET, TCP_OLD_DATA, TCP_CLOSE, NOT_SPECIFIED, ...).
     */
    public static final List<String> DEFAULT_LOSS_DROP_REASONS = List.of(
            "BPF_CGROUP_EGRESS", "CAKE_FLOOD", "CPU_BACKLOG", "DEV_READY", "DUALPI2_STEP_DROP", "FQ_BAND_LIMIT",
            "FQ_FLOW_LIMIT", "FQ_HORIZON_LIMIT", "FRAG_REASM_TIMEOUT", "FRAG_TOO_FAR", "FULL_RING", "HDR_TRUNC",
            "ICMP_CSUM", "IP_CSUM", "IP_INHDR", "IP_INNOROUTES", "IP_OUTNOROUTES", "IP_RPFILTER", "NEIGH_CREATEFAIL",
            "NEIGH_DEAD", "NEIGH_FAILED", "NEIGH_QUEUEFULL", "NETFILTER_DROP", "NOMEM", "PKT_TOO_BIG",
            "PKT_TOO_SMALL", "PROTO_MEM", "QDISC_CONGESTED", "QDISC_DROP", "QDISC_OVERLIMIT", "SKB_CSUM",
            "SKB_GSO_SEG", "SOCKET_BACKLOG", "SOCKET_RCVBUFF", "TCP_CSUM", "TCP_LISTEN_OVERFLOW", "TCP_OFO_DROP",
            "TCP_OFO_QUEUE_PRUNE", "TCP_ZEROWINDOW", "TC_EGRESS", "TC_INGRESS", "UDP_CSUM", "XDP");

    public CompiledProbe {
        Objects.requireNonNull(name, "name");
        if (name == ProbeName.DNS) {
            dnsPorts = dnsPorts == null || dnsPorts.isEmpty() ? DEFAULT_DNS_PORTS
                    : dnsPorts.stream().distinct().sorted().toList();
        } else if (dnsPorts != null) {
            throw new IllegalArgumentException("dnsPorts only apply to the dns probe, not " + name);
        }
        if (name == ProbeName.PACKET_DROPS) {
            lossDropReasons = lossDropReasons == null || lossDropReasons.isEmpty() ? DEFAULT_LOSS_DROP_REASONS
                    : lossDropReasons.stream().distinct().sorted().toList();
        } else if (lossDropReasons != null) {
            throw new IllegalArgumentException("lossDropReasons only apply to the packetDrops probe, not " + name);
        }
        if (name == ProbeName.FLOWS) {
            flows = flows == null ? CompiledFlows.DEFAULTS : flows;
        } else if (flows != null) {
            throw new IllegalArgumentException("flows parameters only apply to the flows probe, not " + name);
        }
    }

    /** A probe with default parameters. */
    public static CompiledProbe of(ProbeName name) {
        return new CompiledProbe(name, null, null, null);
    }

    /** Resolves a ProbeProfile's probe entry. */
    public static CompiledProbe from(ProbeSpec spec) {
        List<Integer> ports = spec.getDns() == null ? null : spec.getDns().getPorts();
        List<String> lossReasons = spec.getPacketDrops() == null ? null : spec.getPacketDrops().getLossReasons();
        CompiledFlows flows = spec.getName() == ProbeName.FLOWS ? CompiledFlows.from(spec.getFlows()) : null;
        return new CompiledProbe(spec.getName(), ports, lossReasons, flows);
    }
}
