// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The tracepoint programs several probes share, one per tracepoint, as the cgroup_skb programs are
 * (cgroup_skb.bpf.h): an event pays one program run, one cgroup id and one selection lookup however many probes
 * look at it; a probe's part runs while its bit is set in attached_probes. An unselected cgroup's event leaves after
 * the selection lookup.
 *
 *   inet_sock_set_state  sonde_tcp_state   tcpConnections, tcpRtt, flows
 *   tcp_probe            sonde_tcp_probe   tcpRtt, flows
 *   sock_send_length     sonde_sock_tx     traffic, flows
 *   sock_recv_length     sonde_sock_rx     traffic, flows
 *   tcp_retransmit_skb   sonde_tcp_retx    tcpRetransmits, flows
 *   tcp_send_reset       sonde_tcp_rst_tx  tcpResets, flows
 *   tcp_receive_reset    sonde_tcp_rst_rx  tcpResets, flows
 */

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(sonde_tcp_state, const struct sock *sk, int oldstate, int newstate)
{
	if (sk->sk_protocol != SONDE_IPPROTO_TCP)
		return 0;
	__u64 cg = sk_cgroup_id(sk);

	if (!is_selected(cg))
		return 0;
	__u32 on = attached_probe_bits();

	if (on & SONDE_PROBE_TCP_CONNECTIONS)
		tcp_conn_state(sk, cg, oldstate, newstate);
	if (on & SONDE_PROBE_TCP_RTT)
		tcp_rtt_state(sk, cg, oldstate);
	if (on & SONDE_PROBE_FLOWS)
		flow_state(sk, cg, oldstate, newstate);
	return 0;
}

SEC("tp_btf/tcp_probe")
int BPF_PROG(sonde_tcp_probe, struct sock *sk, const struct sk_buff *skb)
{
	if (!sk)
		return 0;
	__u64 cg = sk_cgroup_id(sk);

	if (!is_selected(cg))
		return 0;
	__u32 on = attached_probe_bits();

	if (!(on & (SONDE_PROBE_TCP_RTT | SONDE_PROBE_FLOWS)))
		return 0;
	/* one storage lookup for both parts (storage tcpRtt's part creates has no flow: flows' needs no new lookup) */
	struct sock_state *s = bpf_sk_storage_get(&sock_state, sk, 0, 0);

	if (on & SONDE_PROBE_TCP_RTT)
		tcp_rtt_probe(sk, cg, s);
	if (on & SONDE_PROBE_FLOWS)
		flow_probe(sk, s);
	return 0;
}

/* Both socket-call programs' body: the traffic entry, which exists exactly for selected cgroups, is the selection. */
static __always_inline void sock_call(const struct sock *sk, int ret, bool sent)
{
	if (ret <= 0)
		return;
	__u16 family = sk->__sk_common.skc_family;

	if (family != SONDE_AF_INET && family != SONDE_AF_INET6)
		return;
	struct traffic_value *v = traffic_of(sk_cgroup_id(sk));

	if (!v)
		return;
	__u32 on = attached_probe_bits();

	if (on & SONDE_PROBE_TRAFFIC)
		app_bytes(v, ret, sent);
	if ((on & SONDE_PROBE_FLOWS) && sk->sk_protocol == SONDE_IPPROTO_TCP)
		flow_bytes(sk, ret, sent);
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(sonde_sock_tx, const struct sock *sk, int ret, int flags)
{
	sock_call(sk, ret, true);
	return 0;
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(sonde_sock_rx, const struct sock *sk, int ret, int flags)
{
	if (flags & SONDE_MSG_PEEK) /* the data stays queued and is read again */
		return 0;
	sock_call(sk, ret, false);
	return 0;
}

SEC("tp_btf/tcp_retransmit_skb")
int BPF_PROG(sonde_tcp_retx, const struct sock *sk, const struct sk_buff *skb, int err)
{
	__u64 cg = sk_cgroup_id(sk);

	if (!is_selected(cg))
		return 0;
	__u32 on = attached_probe_bits();

	if (on & SONDE_PROBE_TCP_RETRANSMITS)
		tcp_retx_skb(cg, skb, err);
	if (on & SONDE_PROBE_FLOWS)
		flow_retx(sk);
	return 0;
}

/* Both reset programs' body: a socket-less RST (cgroup 0) is node-level for tcpResets and has no flow. */
static __always_inline void tcp_reset(const struct sock *sk, bool sent)
{
	__u64 cg = sk_cgroup_id(sk);
	__u32 on;

	if (cg != SONDE_NODE_CGROUP && !is_selected(cg))
		return;
	on = attached_probe_bits();
	if (on & SONDE_PROBE_TCP_RESETS)
		count_reset(cg, sent ? SONDE_TCP_RESETS_SENT : SONDE_TCP_RESETS_RECEIVED);
	if ((on & SONDE_PROBE_FLOWS) && cg != SONDE_NODE_CGROUP)
		flow_reset(sk, sent);
}

SEC("tp_btf/tcp_send_reset")
int BPF_PROG(sonde_tcp_rst_tx, const struct sock *sk)
{
	tcp_reset(sk, true);
	return 0;
}

SEC("tp_btf/tcp_receive_reset")
int BPF_PROG(sonde_tcp_rst_rx, const struct sock *sk)
{
	tcp_reset(sk, false);
	return 0;
}
