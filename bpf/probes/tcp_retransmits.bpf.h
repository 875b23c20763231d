// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tcpRetransmits, and the ratio's denominator:
 *  - tcp:tcp_retransmit_skb; count = skbs, sum = segments (what TcpRetransSegs counts);
 *  - cgroup_skb egress: TCP segments the cgroup sent (GSO segments, retransmissions included), into the
 *    selected cgroup's traffic entry, so the retransmit ratio needs no other probe.
 */

SEC("tp_btf/tcp_retransmit_skb")
int BPF_PROG(sonde_tcp_retx, const struct sock *sk, const struct sk_buff *skb, int err)
{
	/* since 6.12 the tracepoint also fires for failed retransmits, which the MIB does not count */
	if (err)
		return 0;
	__u64 cg = sk_cgroup_id(sk);

	if (!is_selected(cg))
		return 0;
	/* tcp_skb_pcount(): TCP_SKB_CB(skb)->tcp_gso_segs */
	const struct tcp_skb_cb *cb = (const struct tcp_skb_cb *)&skb->cb[0];
	__u16 segs = BPF_CORE_READ(cb, tcp_gso_segs);

	add_metric(cg, SONDE_TCP_RETRANSMITS, 0, 1, segs ? segs : 1);
	return 0;
}

SEC("cgroup_skb/egress")
int sonde_tcp_segs_tx(struct __sk_buff *skb)
{
	/* the traffic entry exists exactly for selected cgroups: this lookup is the selection */
	__u64 cg = bpf_skb_cgroup_id(skb);
	struct traffic_value *v = bpf_map_lookup_elem(&traffic, &cg);
	__u8 proto;

	/* TCP sends no IPv6 extension headers */
	if (v && ip_protocol(skb, &proto) && proto == SONDE_IPPROTO_TCP) {
		__u32 segs = skb->gso_segs;

		v->tcp_segs_out += segs ? segs : 1;
	}
	return 1;
}
