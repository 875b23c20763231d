package dev.sonde.agent.probe;

import dev.sonde.api.v1alpha1.ProbeName;
import java.util.List;

/** The probes of the contract (ARCHITECTURE.md), with the programs in sonde.bpf.o that implement each. */
public enum Probe {
    TCP_CONNECTIONS(ProbeName.TCP_CONNECTIONS, Hook.tracepoint("sonde_tcp_conn", "sock", "inet_sock_set_state")),
    TCP_RETRANSMITS(ProbeName.TCP_RETRANSMITS, Hook.tracepoint("sonde_tcp_retx", "tcp", "tcp_retransmit_skb"),
            Hook.cgroupSkb("sonde_tcp_segs_tx")),
    TCP_RESETS(ProbeName.TCP_RESETS, Hook.tracepoint("sonde_tcp_rst_tx", "tcp", "tcp_send_reset"),
            Hook.tracepoint("sonde_tcp_rst_rx", "tcp", "tcp_receive_reset")),
    TCP_RTT(ProbeName.TCP_RTT, Hook.tracepoint("sonde_tcp_rtt", "sock", "inet_sock_set_state"),
            Hook.tracepoint("sonde_tcp_rtt_open", "tcp", "tcp_probe")),
    TRAFFIC(ProbeName.TRAFFIC, Hook.cgroupSkb("sonde_traffic_tx"), Hook.cgroupSkb("sonde_traffic_rx"),
            Hook.tracepoint("sonde_app_tx", "sock", "sock_send_length"),
            Hook.tracepoint("sonde_app_rx", "sock", "sock_recv_length")),
    PACKET_DROPS(ProbeName.PACKET_DROPS, Hook.tracepoint("sonde_pkt_drop", "skb", "kfree_skb")),
    DNS(ProbeName.DNS, Hook.cgroupSkb("sonde_dns_tx"), Hook.cgroupSkb("sonde_dns_rx")),
    FLOWS(ProbeName.FLOWS, Hook.tracepoint("sonde_flow_state", "sock", "inet_sock_set_state"),
            Hook.tracepoint("sonde_flow_tx", "sock", "sock_send_length"),
            Hook.tracepoint("sonde_flow_rx", "sock", "sock_recv_length"),
            Hook.tracepoint("sonde_flow_retx", "tcp", "tcp_retransmit_skb"),
            Hook.tracepoint("sonde_flow_rst_tx", "tcp", "tcp_send_reset"),
            Hook.tracepoint("sonde_flow_rst_rx", "tcp", "tcp_receive_reset"),
            Hook.tracepoint("sonde_flow_rtt", "tcp", "tcp_probe"),
            Hook.cgroupSkb("sonde_flow_udp_tx"), Hook.cgroupSkb("sonde_flow_udp_rx"),
            Hook.netfilter("sonde_flow_nat"));

    private final ProbeName name;
    private final List<Hook> hooks;

    Probe(ProbeName name, Hook... hooks) {
        this.name = name;
        this.hooks = List.of(hooks);
    }

    /** The probe as the API names it: one identity from the ProbeProfile to the kernel programs. */
    public ProbeName probeName() {
        return name;
    }

    /** The name users write in a ProbeProfile, e.g. {@code tcpConnections}. */
    public String contractName() {
        return name.wireName();
    }

    public List<Hook> hooks() {
        return hooks;
    }

    /** The agent's probe for an API probe name. */
    public static Probe of(ProbeName name) {
        for (Probe p : values()) {
            if (p.name == name) {
                return p;
            }
        }
        throw new IllegalArgumentException("no probe implements " + name);
    }

    /** Where a program attaches. */
    public enum AttachKind {
        /** a BTF-typed tracepoint ({@code tp_btf/<tracepoint>}) */
        TRACEPOINT,
        /** cgroup_skb at the cgroup2 root */
        CGROUP_SKB,
        /** netfilter hooks of the agent's network namespace, right after DNAT (PRE_ROUTING and LOCAL_OUT, IPv4 and IPv6) */
        NETFILTER
    }

    /** One program and where it attaches; category and tracepoint only for {@link AttachKind#TRACEPOINT}. */
    public record Hook(String program, AttachKind kind, String category, String tracepoint) {
        static Hook tracepoint(String program, String category, String name) {
            return new Hook(program, AttachKind.TRACEPOINT, category, name);
        }

        static Hook cgroupSkb(String program) {
            return new Hook(program, AttachKind.CGROUP_SKB, null, null);
        }

        static Hook netfilter(String program) {
            return new Hook(program, AttachKind.NETFILTER, null, null);
        }
    }
}
