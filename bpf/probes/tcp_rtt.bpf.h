// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tcpRtt: the kernel's smoothed RTT of selected connections, parts of the inet_sock_set_state and tcp_probe programs
 * (tracepoints.bpf.h), sampled
 *  - while a connection is open: at a received segment (tcp:tcp_probe), at most once per
 *    rtt_sample_period_ns per socket (the last sample's time lives in socket storage, sock_state), so
 *    long-lived connections report in every window; a socket without storage yet gets it only from its
 *    SONDE_RTT_OPEN_MIN_SEGS-th received segment on: the storage allocation is most of what a short
 *    connection would cost here, and a short connection gives its sample when it closes;
 *  - when it leaves ESTABLISHED, unless it was sampled within the last period: every connection
 *    gives at least one sample, and one per period it stays open.
 * tcp_probe fires per received segment; unselected sockets pay the selection lookup only (in the shared program).
 */

/* received segments after which an open connection is sampled (and its socket storage made) */
#define SONDE_RTT_OPEN_MIN_SEGS 8

/* srtt_us holds 8 * smoothed RTT in microseconds */
static __always_inline __u32 srtt_micros(const struct sock *sk)
{
	return BPF_CORE_READ((const struct tcp_sock *)sk, srtt_us) >> 3; /* cast: probe_read */
}

/* tcpRtt's part of sonde_tcp_state: a selected cgroup's TCP socket leaving ESTABLISHED */
static __always_inline void tcp_rtt_state(const struct sock *sk, __u64 cg, int oldstate)
{
	if (oldstate != TCP_STATE_ESTABLISHED)
		return;
	struct sock_state *s = bpf_sk_storage_get(&sock_state, (struct sock *)sk, 0, 0);

	if (s && s->rtt_sampled_ns && bpf_ktime_get_ns() - s->rtt_sampled_ns < rtt_sample_period_ns)
		return;
	__u32 srtt = srtt_micros(sk);

#ifdef SONDE_TEST_VERIFIER_REJECT
	/* only in a test build (VerifierRejectionIT): an invalid load the verifier must refuse */
	srtt += *(volatile __u32 *)(long)srtt;
#endif
	if (srtt)
		add_histogram(cg, SONDE_TCP_RTT, srtt);
}

/*
 * tcpRtt's part of sonde_tcp_probe: a selected cgroup's socket received a segment; s its storage, NULL when it has
 * none yet (with flows it has, from its connect or accept)
 */
static __always_inline void tcp_rtt_probe(struct sock *sk, __u64 cg, struct sock_state *s)
{
	if (!s) {
		if (BPF_CORE_READ((const struct tcp_sock *)sk, segs_in) < SONDE_RTT_OPEN_MIN_SEGS)
			return; /* short so far: its close gives the sample */
		s = bpf_sk_storage_get(&sock_state, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	}
	__u64 now = bpf_ktime_get_ns();

	if (!s) {
		note_map_full(SONDE_MAP_SOCK_STATE);
		return;
	}
	if (s->rtt_sampled_ns && now - s->rtt_sampled_ns < rtt_sample_period_ns)
		return;
	__u32 srtt = srtt_micros(sk);

	if (srtt) {
		s->rtt_sampled_ns = now;
		add_histogram(cg, SONDE_TCP_RTT, srtt);
	}
}
