// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * traffic, two views of the same sockets:
 *  - packets and wire bytes (IP length, retransmissions included), a part of the cgroup_skb egress/ingress
 *    programs (cgroup_skb.bpf.h) at the cgroup2 root, so every pod below is covered; packets count GSO segments;
 *  - application bytes from sock:sock_send_length / sock:sock_recv_length (one event per send/recv call, not per
 *    packet), a part of their programs (tracepoints.bpf.h): exactly what applications wrote and read. Ingress skb
 *    bytes can't give that: segments TCP drops after the cgroup filter (backlog full) come back as retransmissions
 *    and would count twice.
 * Counted in the traffic map (one entry per selected cgroup, created by the agent at select
 * time): one lookup per packet selects and counts, instead of a selection plus a metrics lookup.
 */

#define SONDE_AF_INET 2
#define SONDE_AF_INET6 10
#define SONDE_MSG_PEEK 2

/* the one lookup: an entry exists only for selected cgroups (per-CPU: plain adds) */
static __always_inline struct traffic_value *traffic_of(__u64 cgroup_id)
{
	return bpf_map_lookup_elem(&traffic, &cgroup_id);
}

/* traffic's part of the cgroup_skb programs (cgroup_skb.bpf.h): a selected cgroup's packet, v its entry */
static __always_inline void traffic_skb(struct __sk_buff *skb, struct traffic_value *v, bool egress)
{
	__u32 segs = skb->gso_segs;

	if (!segs)
		segs = 1;
	if (egress) {
		v->tx_packets += segs;
		v->tx_bytes += skb->len;
	} else {
		v->rx_packets += segs;
		v->rx_bytes += skb->len;
	}
}

/* traffic's part of sonde_sock_tx and sonde_sock_rx (tracepoints.bpf.h): a selected cgroup's send or receive call */
static __always_inline void app_bytes(struct traffic_value *v, int ret, bool sent)
{
	if (sent) {
		v->tx_app_calls += 1;
		v->tx_app_bytes += ret;
	} else {
		v->rx_app_calls += 1;
		v->rx_app_bytes += ret;
	}
}
