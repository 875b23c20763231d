// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tcpResets: RSTs sent and received, a part of the tcp_send_reset and tcp_receive_reset programs (tracepoints.bpf.h);
 * socket-less RSTs (e.g. to a closed port) are node-level.
 */

/* tcpResets' part of sonde_tcp_rst_tx and sonde_tcp_rst_rx: an RST of a selected cgroup, or node-level (cgroup 0) */
static __always_inline void count_reset(__u64 cg, __u32 metric)
{
	if (cg == SONDE_NODE_CGROUP && !node_level_events)
		return;
	add_metric(cg, metric, 0, 1, 0);
}
