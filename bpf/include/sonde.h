// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Structs and constants that user space reads. The layout is mirrored in
 * node-agent dev.sonde.agent.probe.KernelAbi and checked by KernelAbiTest against the
 * BTF of the built object: change both together.
 */
#ifndef SONDE_H
#define SONDE_H

/* metric_key.metric: what a metrics-map entry counts. Never renumber. */
enum sonde_metric {
	SONDE_TCP_ACTIVE_OPENS = 1,     /* CLOSE -> SYN_SENT */
	SONDE_TCP_PASSIVE_OPENS = 2,    /* SYN_RECV -> ESTABLISHED */
	SONDE_TCP_CLOSES = 3,           /* -> CLOSE, except from SYN_SENT and LISTEN */
	SONDE_TCP_CONNECT_FAILURES = 4, /* SYN_SENT -> CLOSE */
	SONDE_TCP_CONNECT_LATENCY = 5,  /* histogram, sub = log2 bucket of microseconds */
	SONDE_TCP_RETRANSMITS = 6,      /* count = retransmitted skbs, sum = segments */
	SONDE_TCP_RESETS_SENT = 7,
	SONDE_TCP_RESETS_RECEIVED = 8,
	SONDE_TCP_RTT = 9,              /* histogram, sub = log2 bucket of microseconds */
	/* 10, 11: retired (traffic moved to its own map) */
	SONDE_DROPS = 12,               /* sub = enum skb_drop_reason */
	SONDE_DNS_QUERIES = 13,
	SONDE_DNS_RESPONSES = 14,       /* sub = DNS rcode (0..15) */
	SONDE_DNS_LATENCY = 15,         /* histogram, sub = log2 bucket of microseconds */
	/* 16, 17: retired */
};

/* Index into the map_full array: one counter per bounded map an event can fail to insert into. */
enum sonde_map_index {
	SONDE_MAP_METRICS = 0,
	SONDE_MAP_CONNECT_START = 1,
	SONDE_MAP_DNS_PENDING = 2,
	SONDE_MAP_SOCK_STATE = 3,
	SONDE_MAP_FLOWS = 4,
	SONDE_MAP_COUNT = 5,
};

/*
 * One bit per probe: the attached_probes map's value, which the agent sets when it attaches a probe and clears when
 * it detaches it. A program several probes share (cgroup_skb.bpf.h) runs each probe's part only while its bit is set.
 */
enum sonde_probe_bit {
	SONDE_PROBE_TCP_CONNECTIONS = 1,
	SONDE_PROBE_TCP_RETRANSMITS = 2,
	SONDE_PROBE_TCP_RESETS = 4,
	SONDE_PROBE_TCP_RTT = 8,
	SONDE_PROBE_TRAFFIC = 16,
	SONDE_PROBE_PACKET_DROPS = 32,
	SONDE_PROBE_DNS = 64,
	SONDE_PROBE_FLOWS = 128,
};

/* flow_key.direction: which side of the flow the selected pod is. Never renumber. */
enum sonde_flow_direction {
	SONDE_FLOW_ACTIVE = 1,  /* the pod connected (or sent from an ephemeral UDP port): the peer is the server */
	SONDE_FLOW_PASSIVE = 2, /* the pod accepted (or served a UDP port): the pod is the server */
};

/* Histogram buckets: bucket 0 holds 0, bucket i holds [2^(i-1), 2^i) microseconds. */
#define SONDE_HIST_BUCKETS 32

/* Cgroup id used for node-level entries (events without a full socket). */
#define SONDE_NODE_CGROUP 0

struct metric_key {
	__u64 cgroup_id;
	__u32 metric; /* enum sonde_metric */
	__u32 sub;    /* histogram bucket, drop reason, rcode; 0 otherwise */
};

struct metric_value {
	__u64 count; /* events (packets for SONDE_TX/RX) */
	__u64 sum;   /* bytes, segments, or summed microseconds for histograms */
};

/*
 * traffic map value, per cgroup and CPU. The agent creates the entry when it selects the cgroup,
 * so the per-packet path is a single lookup that both selects and counts.
 */
struct traffic_value {
	__u64 tx_packets;   /* GSO segments */
	__u64 tx_bytes;     /* IP bytes, headers and retransmissions included */
	__u64 rx_packets;
	__u64 rx_bytes;
	__u64 tx_app_calls; /* send calls (sock_send_length) */
	__u64 tx_app_bytes; /* bytes the application sent */
	__u64 rx_app_calls;
	__u64 rx_app_bytes;
	__u64 tcp_segs_out; /* TCP segments sent, retransmissions included (tcpRetransmits) */
};

struct dns_key {
	__u64 cgroup_id;
	__u16 id;         /* DNS transaction id, network order */
	__u16 local_port; /* client port, network order */
	__u32 pad;
};

/* dns_ports key: a selected cgroup and a server port (host order) whose UDP traffic is parsed as DNS. */
struct dns_port_key {
	__u64 cgroup_id;
	__u32 port;
	__u32 pad;
};

/*
 * flows map key: one selected pod (cgroup), one peer, one server port. Addresses are IPv6 or IPv4-mapped IPv6
 * (::ffff:a.b.c.d), network order. The server port is the peer's for active flows and the pod's own for passive
 * ones: an ephemeral client port never becomes a key. backend: where a connection to a Service's virtual IP was
 * DNATed to (from conntrack, see nat_backends); all zero otherwise.
 */
struct flow_key {
	__u64 cgroup_id;
	__u8 peer[16];
	__u8 backend[16];
	__u16 port;      /* server port, host order */
	__u16 backend_port; /* host order; 0 without a backend */
	__u8 direction;  /* enum sonde_flow_direction */
	__u8 protocol;   /* IPPROTO_TCP or IPPROTO_UDP */
	__u16 pad;
};

/* flows map value, per flow and CPU: cumulative, the agent takes differences. */
struct flow_value {
	__u64 connections;      /* TCP: connects that completed or failed (active), accepts (passive) */
	__u64 connect_failures; /* TCP: SYN_SENT -> CLOSE */
	__u64 resets_sent;
	__u64 resets_received;
	__u64 retransmits;      /* TCP segments retransmitted */
	__u64 tx_bytes;         /* TCP: what the application wrote; UDP: datagram payload */
	__u64 rx_bytes;         /* TCP: what the application read; UDP: datagram payload */
	__u64 rtt_sum_us;       /* sum of the RTT samples (microseconds) */
	__u32 rtt_buckets[SONDE_HIST_BUCKETS]; /* bucket i: samples in [2^(i-1), 2^i) microseconds */
};

/*
 * flow_budget value, per selected pod with flows (the agent creates it at select time: its presence is the flows
 * selection). Shared by all CPUs: updated with atomic adds.
 */
struct flow_budget {
	__u64 limit;   /* flows this pod may have in the flows map */
	__u64 used;    /* flows it has (incremented here, re-counted by the agent when it expires flows) */
	__u64 refused; /* TCP connections and UDP datagrams not counted because the pod was at its limit */
};

/* nat_backends key: a connection's original tuple as conntrack saw it (addresses as in flow_key, ports network order). */
struct nat_key {
	__u8 src[16];
	__u8 dst[16];
	__u16 sport;
	__u16 dport;
	__u8 protocol;
	__u8 pad[3];
};

/* nat_backends value: the address and port the connection was DNATed to. */
struct nat_backend {
	__u8 addr[16];
	__u16 port; /* network order */
	__u16 pad[3];
};

#endif /* SONDE_H */
