package dev.sonde.agent.probe;

import java.util.List;

/** The probes of the contract (ARCHITECTURE.md), with the programs in sonde.bpf.o that implement each. */
public enum Probe {
    TCP_CONNECTIONS("tcpConnections", Hook.tracepoint("sonde_tcp_conn", "sock", "inet_sock_set_state")),
    TCP_RETRANSMITS("tcpRetransmits", Hook.tracepoint("sonde_tcp_retx", "tcp", "tcp_retransmit_skb"),
            Hook.cgroupSkb("sonde_tcp_segs_tx")),
    TCP_RESETS("tcpResets", Hook.tracepoint("sonde_tcp_rst_tx", "tcp", "tcp_send_reset"),
            Hook.tracepoint("sonde_tcp_rst_rx", "tcp", "tcp_receive_reset")),
    TCP_RTT("tcpRtt", Hook.tracepoint("sonde_tcp_rtt", "sock", "inet_sock_set_state"),
            Hook.tracepoint("sonde_tcp_rtt_open", "tcp", "tcp_probe")),
    TRAFFIC("traffic", Hook.cgroupSkb("sonde_traffic_tx"), Hook.cgroupSkb("sonde_traffic_rx"),
            Hook.tracepoint("sonde_app_tx", "sock", "sock_send_length"),
            Hook.tracepoint("sonde_app_rx", "sock", "sock_recv_length")),
    PACKET_DROPS("packetDrops", Hook.tracepoint("sonde_pkt_drop", "skb", "kfree_skb")),
    DNS("dns", Hook.cgroupSkb("sonde_dns_tx"), Hook.cgroupSkb("sonde_dns_rx"));

    private final String contractName;
    private final List<Hook> hooks;

    Probe(String contractName, Hook... hooks) {
        this.contractName = contractName;
        this.hooks = List.of(hooks);
    }

    /** The name users write in a ProbeProfile, e.g. {@code tcpConnections}. */
    public String contractName() {
        return contractName;
    }

    public List<Hook> hooks() {
        return hooks;
    }

    public static Probe byContractName(String name) {
        for (Probe p : values()) {
            if (p.contractName.equals(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown probe '" + name + "'");
    }

    /** One program and where it attaches: a tracepoint (category/name), or the cgroup2 root when category is null. */
    public record Hook(String program, String category, String tracepoint) {
        static Hook tracepoint(String program, String category, String name) {
            return new Hook(program, category, name);
        }

        static Hook cgroupSkb(String program) {
            return new Hook(program, null, null);
        }

        public boolean isCgroupSkb() {
            return tracepoint == null;
        }
    }
}
