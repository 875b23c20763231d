package dev.sonde.agent.probe;

import dev.sonde.api.v1alpha1.ProbeName;
import java.util.List;

/** The probes of the contract (ARCHITECTURE.md), with the programs in sonde.bpf.o that implement each. */
public enum Probe {
    TCP_CONNECTIONS(ProbeName.TCP_CONNECTIONS, KernelAbi.PROBE_TCP_CONNECTIONS, Hook.TCP_STATE),
    TCP_RETRANSMITS(ProbeName.TCP_RETRANSMITS, KernelAbi.PROBE_TCP_RETRANSMITS, Hook.TCP_RETX, Hook.SKB_TX),
    TCP_RESETS(ProbeName.TCP_RESETS, KernelAbi.PROBE_TCP_RESETS, Hook.TCP_RST_TX, Hook.TCP_RST_RX),
    TCP_RTT(ProbeName.TCP_RTT, KernelAbi.PROBE_TCP_RTT, Hook.TCP_STATE, Hook.TCP_PROBE),
    TRAFFIC(ProbeName.TRAFFIC, KernelAbi.PROBE_TRAFFIC, Hook.SKB_TX, Hook.SKB_RX, Hook.SOCK_TX, Hook.SOCK_RX),
    PACKET_DROPS(ProbeName.PACKET_DROPS, KernelAbi.PROBE_PACKET_DROPS,
            Hook.tracepoint("sonde_pkt_drop", "skb", "kfree_skb")),
    DNS(ProbeName.DNS, KernelAbi.PROBE_DNS, Hook.SKB_TX, Hook.SKB_RX),
    FLOWS(ProbeName.FLOWS, KernelAbi.PROBE_FLOWS, Hook.TCP_STATE, Hook.SOCK_TX, Hook.SOCK_RX, Hook.TCP_RETX,
            Hook.TCP_RST_TX, Hook.TCP_RST_RX, Hook.TCP_PROBE, Hook.SKB_TX, Hook.SKB_RX,
            Hook.netfilter("sonde_flow_nat"));

    private final ProbeName name;
    private final int bit;
    private final List<Hook> hooks;

    Probe(ProbeName name, int bit, Hook... hooks) {
        this.name = name;
        this.bit = bit;
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

    /**
     * The probe's {@code enum sonde_probe_bit}: set in the attached_probes map while it is attached, so a program
     * several probes share runs its part.
     */
    int bit() {
        return bit;
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
        /** one of the two cgroup_skb programs at the cgroup2 root */
        CGROUP_SKB,
        /** netfilter hooks of the agent's network namespace, right after DNAT (PRE_ROUTING and LOCAL_OUT, IPv4 and IPv6) */
        NETFILTER
    }

    /**
     * One program and where it attaches; category and tracepoint only for {@link AttachKind#TRACEPOINT}. Probes
     * whose hooks name the same program share it: it is linked once while any of them is attached, and runs the part
     * of each probe whose {@link Probe#bit()} is set.
     */
    public record Hook(String program, AttachKind kind, String category, String tracepoint) {
        /** The shared cgroup_skb programs (bpf/probes/cgroup_skb.bpf.h). */
        static final Hook SKB_TX = new Hook("sonde_skb_tx", AttachKind.CGROUP_SKB, null, null);
        static final Hook SKB_RX = new Hook("sonde_skb_rx", AttachKind.CGROUP_SKB, null, null);
        /** The shared tracepoint programs (bpf/probes/tracepoints.bpf.h). */
        static final Hook TCP_STATE = tracepoint("sonde_tcp_state", "sock", "inet_sock_set_state");
        static final Hook TCP_PROBE = tracepoint("sonde_tcp_probe", "tcp", "tcp_probe");
        static final Hook SOCK_TX = tracepoint("sonde_sock_tx", "sock", "sock_send_length");
        static final Hook SOCK_RX = tracepoint("sonde_sock_rx", "sock", "sock_recv_length");
        static final Hook TCP_RETX = tracepoint("sonde_tcp_retx", "tcp", "tcp_retransmit_skb");
        static final Hook TCP_RST_TX = tracepoint("sonde_tcp_rst_tx", "tcp", "tcp_send_reset");
        static final Hook TCP_RST_RX = tracepoint("sonde_tcp_rst_rx", "tcp", "tcp_receive_reset");

        static Hook tracepoint(String program, String category, String name) {
            return new Hook(program, AttachKind.TRACEPOINT, category, name);
        }

        static Hook netfilter(String program) {
            return new Hook(program, AttachKind.NETFILTER, null, null);
        }
    }
}
