// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* packetDrops: skb:kfree_skb by drop reason; the skb's socket decides the cgroup, none -> node-level. */

SEC("tp_btf/kfree_skb")
int BPF_PROG(sonde_pkt_drop, const struct sk_buff *skb, void *location, int reason)
{
	__u64 cg = sk_cgroup_id(skb->sk);

	if (cg == SONDE_NODE_CGROUP) {
		if (!node_level_events)
			return 0;
	} else if (!is_selected(cg)) {
		return 0;
	}
	add_metric(cg, SONDE_DROPS, (__u32)reason, 1, 0);
	return 0;
}
