// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tcpConnections: opens, closes, failed connects and connect latency, a part of the inet_sock_set_state program
 * (tracepoints.bpf.h).
 */

/* tcpConnections' part of sonde_tcp_state: a selected cgroup's TCP socket changing state */
static __always_inline void tcp_conn_state(const struct sock *sk, __u64 cg, int oldstate, int newstate)
{
	__u64 skaddr = (__u64)sk;

	if (newstate == TCP_STATE_SYN_SENT) {
		__u64 now = bpf_ktime_get_ns();

		add_metric(cg, SONDE_TCP_ACTIVE_OPENS, 0, 1, 0);
		if (bpf_map_update_elem(&connect_start, &skaddr, &now, BPF_ANY))
			note_map_full(SONDE_MAP_CONNECT_START);
		return;
	}
	if (oldstate == TCP_STATE_SYN_SENT) {
		__u64 *start = bpf_map_lookup_elem(&connect_start, &skaddr);

		if (newstate == TCP_STATE_ESTABLISHED && start)
			add_histogram(cg, SONDE_TCP_CONNECT_LATENCY, (bpf_ktime_get_ns() - *start) / 1000);
		else if (newstate == TCP_STATE_CLOSE)
			add_metric(cg, SONDE_TCP_CONNECT_FAILURES, 0, 1, 0);
		if (start)
			bpf_map_delete_elem(&connect_start, &skaddr);
		return;
	}
	if (oldstate == TCP_STATE_SYN_RECV && newstate == TCP_STATE_ESTABLISHED)
		add_metric(cg, SONDE_TCP_PASSIVE_OPENS, 0, 1, 0);
	else if (newstate == TCP_STATE_CLOSE && oldstate != TCP_STATE_LISTEN)
		add_metric(cg, SONDE_TCP_CLOSES, 0, 1, 0);
}
