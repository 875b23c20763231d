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
    static final int MAP_RTT_LAST_SAMPLE = 3;
    static final int MAP_COUNT = 4;

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
    // struct dns_port_key { u64 cgroup_id; u32 port; u32 pad; }
    static final int DNS_PORT_KEY_SIZE = 16;
    static final int DNS_PORT_KEY_CGROUP_ID = 0;
    static final int DNS_PORT_KEY_PORT = 8;

    // map names
    static final String SELECTED_CGROUPS = "selected_cgroups";
    static final String METRICS = "metrics";
    static final String TRAFFIC = "traffic";
    static final String CONNECT_START = "connect_start";
    static final String DNS_PENDING = "dns_pending";
    static final String DNS_PORTS = "dns_ports";
    static final String RTT_LAST_SAMPLE = "rtt_last_sample";
    static final String MAP_FULL = "map_full";

    // .rodata knobs
    static final String KNOB_NODE_LEVEL_EVENTS = "node_level_events";
}
