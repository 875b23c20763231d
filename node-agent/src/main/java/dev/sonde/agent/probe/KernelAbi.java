package dev.sonde.agent.probe;

/** Mirror of bpf/include/sonde.h; KernelAbiTest compares the two. */
final class KernelAbi {
    private KernelAbi() {
    }

    // enum sonde_metric
    static final int TCP_ACTIVE_OPENS = 1;
    static final int TCP_PASSIVE_OPENS = 2;
    static final int TCP_CLOSES = 3;
    static final int TCP_CONNECT_FAILURES = 4;
    static final int TCP_CONNECT_LATENCY = 5;
    static final int TCP_RETRANSMITS = 6;
    static final int TCP_RESETS_SENT = 7;
    static final int TCP_RESETS_RECEIVED = 8;
    static final int TCP_RTT = 9;
    static final int DROPS = 12;
    static final int DNS_QUERIES = 13;
    static final int DNS_RESPONSES = 14;
    static final int DNS_LATENCY = 15;

    // enum sonde_map_index
    static final int MAP_METRICS = 0;
    static final int MAP_CONNECT_START = 1;
    static final int MAP_DNS_PENDING = 2;
    static final int MAP_SOCK_STATE = 3;
    static final int MAP_FLOWS = 4;
    static final int MAP_COUNT = 5;

    // enum sonde_probe_bit: the attached_probes map's bits
    static final int PROBE_TCP_CONNECTIONS = 1;
    static final int PROBE_TCP_RETRANSMITS = 2;
    static final int PROBE_TCP_RESETS = 4;
    static final int PROBE_TCP_RTT = 8;
    static final int PROBE_TRAFFIC = 16;
    static final int PROBE_PACKET_DROPS = 32;
    static final int PROBE_DNS = 64;
    static final int PROBE_FLOWS = 128;

    // enum sonde_flow_direction
    static final int FLOW_ACTIVE = 1;
    static final int FLOW_PASSIVE = 2;

    static final int HIST_BUCKETS = 32;

    // struct metric_key { u64 cgroup_id; u32 metric; u32 sub; }
    static final int METRIC_KEY_SIZE = 16;
    static final int METRIC_KEY_CGROUP_ID = 0;
    static final int METRIC_KEY_METRIC = 8;
    static final int METRIC_KEY_SUB = 12;
    // struct metric_value { u64 count; u64 sum; }
    static final int METRIC_VALUE_SIZE = 16;
    static final int METRIC_VALUE_COUNT = 0;
    static final int METRIC_VALUE_SUM = 8;
    // struct traffic_value: nine u64 counters, in this order
    static final int TRAFFIC_VALUE_SIZE = 72;
    static final String[] TRAFFIC_VALUE_FIELDS = {"tx_packets", "tx_bytes", "rx_packets", "rx_bytes",
        "tx_app_calls", "tx_app_bytes", "rx_app_calls", "rx_app_bytes", "tcp_segs_out"};
    static final int TRAFFIC_TX_PACKETS = 0;
    static final int TRAFFIC_TX_BYTES = 1;
    static final int TRAFFIC_RX_PACKETS = 2;
    static final int TRAFFIC_RX_BYTES = 3;
    static final int TRAFFIC_TX_APP_BYTES = 5;
    static final int TRAFFIC_RX_APP_BYTES = 7;
    static final int TRAFFIC_TCP_SEGS_OUT = 8;
    // struct dns_key { u64 cgroup_id; u16 id; u16 local_port; u32 pad; }
    static final int DNS_KEY_SIZE = 16;
    static final int DNS_KEY_CGROUP_ID = 0;
    static final int DNS_KEY_ID = 8;
    static final int DNS_KEY_LOCAL_PORT = 10;
    // struct dns_port_key { u64 cgroup_id; u32 port; u32 pad; }
    static final int DNS_PORT_KEY_SIZE = 16;
    static final int DNS_PORT_KEY_CGROUP_ID = 0;
    static final int DNS_PORT_KEY_PORT = 8;

    // struct flow_key { u64 cgroup_id; u8 peer[16]; u8 backend[16]; u16 port; u16 backend_port; u8 direction;
    //                   u8 protocol; u16 pad; }
    static final int FLOW_KEY_SIZE = 48;
    static final int FLOW_KEY_CGROUP_ID = 0;
    static final int FLOW_KEY_PEER = 8;
    static final int FLOW_KEY_BACKEND = 24;
    static final int FLOW_KEY_PORT = 40;
    static final int FLOW_KEY_BACKEND_PORT = 42;
    static final int FLOW_KEY_DIRECTION = 44;
    static final int FLOW_KEY_PROTOCOL = 45;
    // struct flow_value: eight u64 counters in this order, then u32 rtt_buckets[32]
    static final int FLOW_VALUE_SIZE = 192;
    static final String[] FLOW_VALUE_FIELDS = {"connections", "connect_failures", "resets_sent", "resets_received",
        "retransmits", "tx_bytes", "rx_bytes", "rtt_sum_us", "rtt_buckets"};
    static final int FLOW_VALUE_COUNTERS = 8;
    static final int FLOW_VALUE_RTT_BUCKETS = 64;
    // struct flow_budget { u64 limit; u64 used; u64 refused; }
    static final int FLOW_BUDGET_SIZE = 24;
    static final int FLOW_BUDGET_LIMIT = 0;
    static final int FLOW_BUDGET_USED = 8;
    static final int FLOW_BUDGET_REFUSED = 16;
    static final int IPPROTO_TCP = 6;
    static final int IPPROTO_UDP = 17;

    // map names
    static final String SELECTED_CGROUPS = "selected_cgroups";
    static final String METRICS = "metrics";
    static final String TRAFFIC = "traffic";
    static final String CONNECT_START = "connect_start";
    static final String DNS_PENDING = "dns_pending";
    static final String DNS_PORTS = "dns_ports";
    static final String SOCK_STATE = "sock_state";
    static final String MAP_FULL = "map_full";
    static final String FLOWS = "flows";
    static final String FLOW_BUDGET = "flow_budget";
    static final String NAT_BACKENDS = "nat_backends";
    static final String ATTACHED_PROBES = "attached_probes";

    // .rodata knobs
    static final String KNOB_NODE_LEVEL_EVENTS = "node_level_events";
    static final String KNOB_EPHEMERAL_PORT_MIN = "ephemeral_port_min";
}
