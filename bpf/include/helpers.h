// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Small helpers shared by the probes: selection, attribution, aggregation. */
#ifndef SONDE_HELPERS_H
#define SONDE_HELPERS_H

#include "maps.h"

/* Knobs, set by the agent before load (.rodata). */
volatile const __u64 rtt_sample_period_ns = 1000000000; /* an open connection's RTT: one sample per period */
volatile const __u8 node_level_events = 1; /* count socket-less drops/resets under cgroup 0 */
volatile const __u16 ephemeral_port_min = 32768; /* UDP: a local port at or above this is a client's */

#define TCP_STATE_ESTABLISHED 1
#define TCP_STATE_SYN_SENT 2
#define TCP_STATE_SYN_RECV 3
#define TCP_STATE_TIME_WAIT 6
#define TCP_STATE_CLOSE 7
#define TCP_STATE_LISTEN 10
#define TCP_STATE_NEW_SYN_RECV 12

#define SONDE_IPPROTO_TCP 6
#define SONDE_IPPROTO_UDP 17
#define SONDE_ETH_P_IP_BE 0x0008   /* htons(ETH_P_IP) */
#define SONDE_ETH_P_IPV6_BE 0xDD86 /* htons(ETH_P_IPV6) */

/*
 * The IP protocol of a cgroup_skb packet (data starts at the IP header): one byte, for the programs that leave at
 * the first packet that isn't theirs. false for non-IP; IPv6 extension headers are not followed. Read from the
 * packet's linear part directly (no helper call) when the header is there, as it is for the packets of local
 * sockets; bpf_skb_load_bytes otherwise.
 */
static __always_inline bool ip_protocol(struct __sk_buff *skb, __u8 *proto)
{
	const __u8 *data = (const __u8 *)(long)skb->data;
	const __u8 *end = (const __u8 *)(long)skb->data_end;
	__u32 off;

	if (skb->protocol == SONDE_ETH_P_IP_BE)
		off = 9;
	else if (skb->protocol == SONDE_ETH_P_IPV6_BE)
		off = 6;
	else
		return false;
	if (data + 10 <= end) {
		*proto = data[off];
		return true;
	}
	return !bpf_skb_load_bytes(skb, off, proto, 1);
}

/* IPv4 a.b.c.d (network order) as ::ffff:a.b.c.d */
static __always_inline void v4_mapped(__u8 out[16], __u32 addr)
{
	__builtin_memset(out, 0, 10);
	out[10] = 0xff;
	out[11] = 0xff;
	__builtin_memcpy(&out[12], &addr, 4);
}

/* A UDP datagram's headers, as the dns and flows parts of the cgroup_skb programs read them. */
struct udp_packet {
	__u8 src[16]; /* IPv4-mapped for IPv4 */
	__u8 dst[16];
	struct udphdr udp;
	__u32 l4; /* offset of the UDP header */
};

/*
 * Fills p from a cgroup_skb packet ip_protocol() found to be UDP (data starts at the IP header); false when its
 * headers can't be read. IPv6 extension headers are not followed.
 */
static __always_inline bool parse_udp(struct __sk_buff *skb, struct udp_packet *p)
{
	if (skb->protocol == SONDE_ETH_P_IP_BE) {
		struct iphdr ip;

		if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip)))
			return false;
		v4_mapped(p->src, ip.saddr);
		v4_mapped(p->dst, ip.daddr);
		p->l4 = ip.ihl * 4;
	} else {
		struct ipv6hdr ip6;

		if (bpf_skb_load_bytes(skb, 0, &ip6, sizeof(ip6)))
			return false;
		__builtin_memcpy(p->src, &ip6.saddr, 16);
		__builtin_memcpy(p->dst, &ip6.daddr, 16);
		p->l4 = sizeof(ip6);
	}
	return !bpf_skb_load_bytes(skb, p->l4, &p->udp, sizeof(p->udp));
}

static __always_inline void note_map_full(__u32 map_index)
{
	__u64 *v = bpf_map_lookup_elem(&map_full, &map_index);

	if (v)
		*v += 1;
}

/* the enum sonde_probe_bit bits of the attached probes, for the programs several probes share */
static __always_inline __u32 attached_probe_bits(void)
{
	__u32 zero = 0;
	__u32 *bits = bpf_map_lookup_elem(&attached_probes, &zero);

	return bits ? *bits : 0;
}

/* true when the cgroup is selected by at least one monitor: the one lookup unselected traffic pays */
static __always_inline bool is_selected(__u64 cgroup_id)
{
	__u64 *mask = bpf_map_lookup_elem(&selected_cgroups, &cgroup_id);

	return mask && *mask;
}

/*
 * Cgroup v2 id of the socket, read through the socket (not the current task: many
 * TCP tracepoints run in softirq). 0 for NULL, request and timewait sockets, which
 * carry no sk_cgrp_data.
 */
static __always_inline __u64 sk_cgroup_id(const struct sock *sk)
{
	if (!sk)
		return 0;
	/* tp_btf arguments are BTF pointers: plain loads (CO-RE relocated), no probe_read helper calls */
	__u8 state = sk->__sk_common.skc_state;

	if (state == TCP_STATE_TIME_WAIT || state == TCP_STATE_NEW_SYN_RECV)
		return 0;
	struct cgroup *cgrp = sk->sk_cgrp_data.cgroup;

	return cgrp ? cgrp->kn->id : 0;
}

static __always_inline void add_metric(__u64 cgroup_id, __u32 metric, __u32 sub, __u64 count, __u64 sum)
{
	struct metric_key key = { .cgroup_id = cgroup_id, .metric = metric, .sub = sub };
	struct metric_value *v = bpf_map_lookup_elem(&metrics, &key);

	if (v) {
		/* per-CPU value: no other writer, plain adds are enough */
		v->count += count;
		v->sum += sum;
		return;
	}
	struct metric_value init = { .count = count, .sum = sum };
	long err = bpf_map_update_elem(&metrics, &key, &init, BPF_NOEXIST);

	if (err == -EEXIST) {
		/* another CPU created the key between lookup and update */
		v = bpf_map_lookup_elem(&metrics, &key);
		if (v) {
			v->count += count;
			v->sum += sum;
		}
	} else if (err) {
		note_map_full(SONDE_MAP_METRICS);
	}
}

/* 0 -> 0, [2^(i-1), 2^i) -> i, clamped to the last bucket */
static __always_inline __u32 log2_bucket(__u64 v)
{
	__u32 b = 0;

	if (v >= (1ULL << 32)) { v >>= 32; b += 32; }
	if (v >= (1ULL << 16)) { v >>= 16; b += 16; }
	if (v >= (1ULL << 8)) { v >>= 8; b += 8; }
	if (v >= (1ULL << 4)) { v >>= 4; b += 4; }
	if (v >= (1ULL << 2)) { v >>= 2; b += 2; }
	if (v >= (1ULL << 1)) { v >>= 1; b += 1; }
	b += v; /* v is 0 or 1 here */
	return b < SONDE_HIST_BUCKETS ? b : SONDE_HIST_BUCKETS - 1;
}

static __always_inline void add_histogram(__u64 cgroup_id, __u32 metric, __u64 micros)
{
	add_metric(cgroup_id, metric, log2_bucket(micros), 1, micros);
}

#endif /* SONDE_HELPERS_H */
