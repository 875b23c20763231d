// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tcpRtt: smoothed RTT, sampled once per connection when it leaves ESTABLISHED.
 * No per-packet hook (tcp:tcp_probe fires per received segment), so the cost is
 * per connection; long-lived connections report when they close.
 */

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(sonde_tcp_rtt, const struct sock *sk, int oldstate, int newstate)
{
	if (oldstate != TCP_STATE_ESTABLISHED)
		return 0;
	if (sk->sk_protocol != SONDE_IPPROTO_TCP)
		return 0;
	__u64 cg = sk_cgroup_id(sk);

	if (!is_selected(cg))
		return 0;
	/* srtt_us holds 8 * smoothed RTT in microseconds */
	__u32 srtt = BPF_CORE_READ((const struct tcp_sock *)sk, srtt_us) >> 3; /* cast: probe_read */

#ifdef SONDE_TEST_VERIFIER_REJECT
	/* only in a test build (VerifierRejectionIT): an invalid load the verifier must refuse */
	srtt += *(volatile __u32 *)(long)srtt;
#endif
	if (srtt)
		add_histogram(cg, SONDE_TCP_RTT, srtt);
	return 0;
}
