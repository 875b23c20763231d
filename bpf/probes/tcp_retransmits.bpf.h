// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tcpRetransmits, and the ratio's denominator:
 *  - tcp:tcp_retransmit_skb (a part of sonde_tcp_retx, tracepoints.bpf.h); count = skbs, sum = segments (what
 *    TcpRetransSegs counts);
 *  - cgroup_skb egress (a part of sonde_skb_tx): TCP segments the cgroup sent (GSO segments, retransmissions
 *    included), into the selected cgroup's traffic entry, so the retransmit ratio needs no other probe.
 */

/* tcpRetransmits' part of sonde_tcp_retx (tracepoints.bpf.h): a selected cgroup's retransmit */
static __always_inline void tcp_retx_skb(__u64 cg, const struct sk_buff *skb, int err)
{
	/* since 6.12 the tracepoint also fires for failed retransmits, which the MIB does not count */
	if (err)
		return;
	/* tcp_skb_pcount(): TCP_SKB_CB(skb)->tcp_gso_segs */
	const struct tcp_skb_cb *cb = (const struct tcp_skb_cb *)&skb->cb[0];
	__u16 segs = BPF_CORE_READ(cb, tcp_gso_segs);

	add_metric(cg, SONDE_TCP_RETRANSMITS, 0, 1, segs ? segs : 1);
}

/* tcpRetransmits' part of the cgroup_skb egress program (cgroup_skb.bpf.h): a selected cgroup's TCP packet */
static __always_inline void tcp_segments_skb(struct __sk_buff *skb, struct traffic_value *v)
{
	__u32 segs = skb->gso_segs;

	v->tcp_segs_out += segs ? segs : 1;
}
