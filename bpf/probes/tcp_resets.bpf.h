// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* tcpResets: RSTs sent and received; socket-less RSTs (e.g. to a closed port) are node-level. */

static __always_inline void count_reset(const struct sock *sk, __u32 metric)
{
	__u64 cg = sk_cgroup_id(sk);

	if (cg == SONDE_NODE_CGROUP) {
		if (node_level_events)
			add_metric(SONDE_NODE_CGROUP, metric, 0, 1, 0);
		return;
	}
	if (is_selected(cg))
		add_metric(cg, metric, 0, 1, 0);
}

SEC("tp_btf/tcp_send_reset")
int BPF_PROG(sonde_tcp_rst_tx, const struct sock *sk)
{
	count_reset(sk, SONDE_TCP_RESETS_SENT);
	return 0;
}

SEC("tp_btf/tcp_receive_reset")
int BPF_PROG(sonde_tcp_rst_rx, const struct sock *sk)
{
	count_reset(sk, SONDE_TCP_RESETS_RECEIVED);
	return 0;
}
