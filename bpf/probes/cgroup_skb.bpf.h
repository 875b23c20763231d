// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The cgroup_skb programs, one per direction at the cgroup2 root, shared by the probes that look at packets:
 * traffic (packets, wire bytes), tcpRetransmits (TCP segments sent), dns and flows (UDP datagrams). A packet pays one
 * program run, one cgroup id and one selection lookup however many of them are attached; a probe's part runs while
 * its bit is set in attached_probes. An unselected cgroup's packet leaves after the selection lookup.
 */

/* Both programs' body: egress is a constant in each, so each is compiled with only its direction's parts. */
static __always_inline int skb_parts(struct __sk_buff *skb, bool egress)
{
	__u64 cg = bpf_skb_cgroup_id(skb);
	/* the traffic entry exists exactly for selected cgroups: this lookup is the selection */
	struct traffic_value *v = traffic_of(cg);

	if (!v)
		return 1; /* observe only: always let the packet pass */
	__u32 on = attached_probe_bits();
	/* the parts that need the IP protocol; only egress counts TCP segments */
	__u32 by_protocol = SONDE_PROBE_DNS | SONDE_PROBE_FLOWS | (egress ? SONDE_PROBE_TCP_RETRANSMITS : 0);
	__u8 proto;

	if (on & SONDE_PROBE_TRAFFIC)
		traffic_skb(skb, v, egress);
	if (!(on & by_protocol) || !ip_protocol(skb, &proto))
		return 1;
	if (proto == SONDE_IPPROTO_TCP) {
		/* TCP sends no IPv6 extension headers */
		if (egress && (on & SONDE_PROBE_TCP_RETRANSMITS))
			tcp_segments_skb(skb, v);
	} else if (proto == SONDE_IPPROTO_UDP && (on & (SONDE_PROBE_DNS | SONDE_PROBE_FLOWS))) {
		struct udp_packet p;

		if (!parse_udp(skb, &p))
			return 1;
		if (on & SONDE_PROBE_DNS) {
			if (egress)
				dns_skb_tx(skb, cg, &p);
			else
				dns_skb_rx(skb, cg, &p);
		}
		if (on & SONDE_PROBE_FLOWS)
			flow_udp_skb(cg, &p, egress);
	}
	return 1;
}

SEC("cgroup_skb/egress")
int sonde_skb_tx(struct __sk_buff *skb)
{
	return skb_parts(skb, true);
}

SEC("cgroup_skb/ingress")
int sonde_skb_rx(struct __sk_buff *skb)
{
	return skb_parts(skb, false);
}
