// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * dns: UDP DNS on the ports in dns_ports (per selected cgroup, set by the agent). Egress queries are remembered by (cgroup, id, client port);
 * ingress responses count by rcode and close the latency measurement. Queries that never
 * get an answer are expired and counted as unanswered by the agent. DNS over TCP is not parsed.
 */

struct dns_view {
	__u16 sport;   /* network order */
	__u16 dport;   /* network order */
	__u16 id;      /* network order */
	__u16 flags;   /* host order */
};

/* Fills v when skb is a UDP datagram with a DNS header; skb data starts at the IP header. */
static __always_inline bool parse_dns(struct __sk_buff *skb, struct dns_view *v)
{
	__u32 l4 = 40; /* IPv6: no extension headers, DNS clients don't send them */
	__u8 proto;

	if (!ip_protocol(skb, &proto) || proto != SONDE_IPPROTO_UDP)
		return false;
	if (skb->protocol == SONDE_ETH_P_IP_BE) {
		__u8 vihl;

		if (bpf_skb_load_bytes(skb, 0, &vihl, 1))
			return false;
		l4 = (vihl & 0x0F) * 4;
	}
	__u16 hdr[6]; /* udp: sport dport len csum, dns: id flags */

	if (bpf_skb_load_bytes(skb, l4, hdr, sizeof(hdr)))
		return false;
	v->sport = hdr[0];
	v->dport = hdr[1];
	v->id = hdr[4];
	v->flags = bpf_ntohs(hdr[5]);
	return true;
}

/* the cgroup is selected and one of its monitors parses this server port (network order) as DNS */
static __always_inline bool is_dns_port(__u64 cgroup_id, __u16 port_be)
{
	struct dns_port_key key = { .cgroup_id = cgroup_id, .port = bpf_ntohs(port_be) };

	return bpf_map_lookup_elem(&dns_ports, &key) != NULL;
}

SEC("cgroup_skb/egress")
int sonde_dns_tx(struct __sk_buff *skb)
{
	struct dns_view v;

	if (!parse_dns(skb, &v) || (v.flags & 0x8000))
		return 1;
	__u64 cg = bpf_skb_cgroup_id(skb);

	if (!is_dns_port(cg, v.dport))
		return 1;
	struct dns_key key = { .cgroup_id = cg, .id = v.id, .local_port = v.sport };
	__u64 now = bpf_ktime_get_ns();

	add_metric(cg, SONDE_DNS_QUERIES, 0, 1, 0);
	/* a retried query keeps its id: the first send starts the clock */
	long err = bpf_map_update_elem(&dns_pending, &key, &now, BPF_NOEXIST);

	if (err && err != -EEXIST)
		note_map_full(SONDE_MAP_DNS_PENDING);
	return 1;
}

SEC("cgroup_skb/ingress")
int sonde_dns_rx(struct __sk_buff *skb)
{
	struct dns_view v;

	if (!parse_dns(skb, &v) || !(v.flags & 0x8000))
		return 1;
	__u64 cg = bpf_skb_cgroup_id(skb);

	if (!is_dns_port(cg, v.sport))
		return 1;
	struct dns_key key = { .cgroup_id = cg, .id = v.id, .local_port = v.dport };
	__u64 *sent = bpf_map_lookup_elem(&dns_pending, &key);

	add_metric(cg, SONDE_DNS_RESPONSES, v.flags & 0x000F, 1, 0);
	if (sent) {
		add_histogram(cg, SONDE_DNS_LATENCY, (bpf_ktime_get_ns() - *sent) / 1000);
		bpf_map_delete_elem(&dns_pending, &key);
	}
	return 1;
}
