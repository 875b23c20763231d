// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* tcpRetransmits: tcp:tcp_retransmit_skb; count = skbs, sum = segments (what TcpRetransSegs counts). */

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
