// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * dns: UDP DNS on the ports in dns_ports (per selected cgroup, set by the agent), a part of the cgroup_skb programs
 * (cgroup_skb.bpf.h). Egress queries are remembered by (cgroup, id, client port); ingress responses count by rcode
 * and close the latency measurement. Queries that never get an answer are expired and counted as unanswered by the
 * agent. DNS over TCP is not parsed.
 */

struct dns_view {
	__u16 sport;   /* network order */
	__u16 dport;   /* network order */
	__u16 id;      /* network order */
	__u16 flags;   /* host order */
};

/* Fills v when the UDP datagram carries a DNS header. */
static __always_inline bool parse_dns(struct __sk_buff *skb, const struct udp_packet *p, struct dns_view *v)
{
	__u16 hdr[2]; /* dns: id flags */

	if (bpf_skb_load_bytes(skb, p->l4 + sizeof(struct udphdr), hdr, sizeof(hdr)))
		return false;
	v->sport = p->udp.source;
	v->dport = p->udp.dest;
	v->id = hdr[0];
	v->flags = bpf_ntohs(hdr[1]);
	return true;
}

/* one of the cgroup's monitors parses this server port (network order) as DNS */
static __always_inline bool is_dns_port(__u64 cgroup_id, __u16 port_be)
{
	struct dns_port_key key = { .cgroup_id = cgroup_id, .port = bpf_ntohs(port_be) };

	return bpf_map_lookup_elem(&dns_ports, &key) != NULL;
}

/* egress: a query to one of the cgroup's DNS ports is counted and starts its clock */
static __always_inline void dns_skb_tx(struct __sk_buff *skb, __u64 cg, const struct udp_packet *p)
{
	struct dns_view v;

	if (!parse_dns(skb, p, &v) || (v.flags & 0x8000) || !is_dns_port(cg, v.dport))
		return;
	struct dns_key key = { .cgroup_id = cg, .id = v.id, .local_port = v.sport };
	__u64 now = bpf_ktime_get_ns();

	add_metric(cg, SONDE_DNS_QUERIES, 0, 1, 0);
	/* a retried query keeps its id: the first send starts the clock */
	long err = bpf_map_update_elem(&dns_pending, &key, &now, BPF_NOEXIST);

	if (err && err != -EEXIST)
		note_map_full(SONDE_MAP_DNS_PENDING);
}

/* ingress: a response from one of the cgroup's DNS ports, by rcode, and its query's latency */
static __always_inline void dns_skb_rx(struct __sk_buff *skb, __u64 cg, const struct udp_packet *p)
{
	struct dns_view v;

	if (!parse_dns(skb, p, &v) || !(v.flags & 0x8000) || !is_dns_port(cg, v.sport))
		return;
	struct dns_key key = { .cgroup_id = cg, .id = v.id, .local_port = v.dport };
	__u64 *sent = bpf_map_lookup_elem(&dns_pending, &key);

	add_metric(cg, SONDE_DNS_RESPONSES, v.flags & 0x000F, 1, 0);
	if (sent) {
		add_histogram(cg, SONDE_DNS_LATENCY, (bpf_ktime_get_ns() - *sent) / 1000);
		bpf_map_delete_elem(&dns_pending, &key);
	}
}
