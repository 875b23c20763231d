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
	SONDE_MAP_RTT_LAST_SAMPLE = 3,
	SONDE_MAP_COUNT = 4,
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

#endif /* SONDE_H */
