// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * All maps of sonde.bpf.o. Sizes are defaults; the agent may resize them
 * before load (bpf_map__set_max_entries).
 */
#ifndef SONDE_MAPS_H
#define SONDE_MAPS_H

#include "sonde.h"

/* key: cgroup v2 id (u64), value: monitor bitmask (u64); written by the agent only. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u64);
} selected_cgroups SEC(".maps");

/* key: struct metric_key, value: struct metric_value per CPU; the agent reads and sums. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct metric_key);
	__type(value, struct metric_value);
} metrics SEC(".maps");

/*
 * key: cgroup v2 id (u64), value: struct traffic_value per CPU. Entries exist exactly for the
 * selected cgroups (the agent inserts and deletes them with selected_cgroups), so no program
 * ever inserts here and the map can't overflow from the data path.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct traffic_value);
} traffic SEC(".maps");

/* key: struct sock address (u64), value: ktime ns of CLOSE -> SYN_SENT; removed at the next transition. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, __u64);
} connect_start SEC(".maps");

/* key: struct dns_key, value: ktime ns of the query; removed by the answer or by the agent's expiry sweep. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, struct dns_key);
	__type(value, __u64);
} dns_pending SEC(".maps");

/*
 * key: struct dns_port_key, value: unused (1). Entries exist for each selected cgroup and each DNS port of the
 * monitors that select it with the dns probe (written by the agent only): the dns programs' one lookup both
 * selects the cgroup and matches the port.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32768);
	__type(key, struct dns_port_key);
	__type(value, __u8);
} dns_ports SEC(".maps");

/*
 * key: struct flow_key, value: struct flow_value per CPU. The data path inserts (a pod's new peer), bounded per pod by
 * flow_budget and in all by max_entries; the agent deletes flows that went idle. Not preallocated: an entry costs
 * memory only when it exists.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 16384);
	__type(key, struct flow_key);
	__type(value, struct flow_value);
} flows SEC(".maps");

/* key: cgroup v2 id (u64), value: struct flow_budget; entries exist exactly for the pods selected with flows. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct flow_budget);
} flow_budget SEC(".maps");

/* the flows probe's part of a TCP socket's state: its flow key, set at connect/accept */
struct flow_sock {
	struct flow_key key;
	__u64 last_rtt_ns; /* when the flow's RTT was last sampled from this socket */
	__u8 tracked;      /* the socket is a flows-selected pod's: everything below is this socket's */
	__u8 ready;        /* key final (backend resolved); events before that wait */
	__u8 refused;      /* the pod was at its flow budget when the connection came: nothing of it is counted */
	__u8 pad;
	__u32 retransmits; /* the socket's tcp_sock.total_retrans already added to its flow */
};

/*
 * Socket storage of a selected TCP socket: the state the probes keep per socket, in one allocation however many of
 * them keep some (an allocation per socket is most of what a short connection costs them). Freed with the socket.
 */
struct sock_state {
	__u64 rtt_sampled_ns;  /* tcpRtt: ktime ns of the socket's last open-connection RTT sample; 0: none yet */
	struct flow_sock flow; /* flows: valid when flow.tracked */
};

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sock_state);
} sock_state SEC(".maps");

/*
 * key: struct nat_key, value: struct nat_backend. Written by sonde_flow_nat (netfilter, after DNAT) for each new
 * DNATed connection, read when the connecting socket leaves SYN_SENT. LRU: a cache whose oldest entries may go; a
 * connection whose entry went is attributed to the Service without a backend.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct nat_key);
	__type(value, struct nat_backend);
} nat_backends SEC(".maps");

/* key: 0, value: the enum sonde_probe_bit bits of the attached probes; written by the agent only. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} attached_probes SEC(".maps");

/* key: enum sonde_map_index, value: inserts that failed because the map was full, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SONDE_MAP_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} map_full SEC(".maps");

#endif /* SONDE_MAPS_H */
