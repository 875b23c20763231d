// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * flows: who a selected pod talks to. Per pod, peer and server port (struct flow_key), in the per-CPU hash flows.
 *
 * TCP: a connection's key is decided once, in socket storage (sock_state.flow), when it connects (CLOSE -> SYN_SENT: the
 * peer is the destination and its port) or is accepted (SYN_RECV -> ESTABLISHED: the peer is the client, the port
 * the pod's own); every later event of that socket (bytes written and read, retransmits, resets, RTT) is one storage
 * lookup and one flows update. Bytes are what the application wrote and read (sock_send_length/sock_recv_length),
 * like the traffic probe's application bytes. The TCP events are flows' parts of the programs it shares with the
 * other probes (tracepoints.bpf.h), which run them for selected cgroups only.
 *
 * Services: a pod connecting to a ClusterIP sees only the ClusterIP; kube-proxy's DNAT to a backend happens in the
 * node's network namespace. sonde_flow_nat, a netfilter program right after the DNAT hook (no kprobes: the
 * conntrack entry hangs off the skb), records each new DNATed connection's backend by its original tuple in
 * nat_backends; when the connecting socket leaves SYN_SENT (the SYN went through the DNAT by then) the key gets the
 * backend. So a flow to a Service is split by the backend that served it.
 *
 * UDP: no connection to hang a key on (an unconnected socket talks to many peers), so the cgroup_skb programs parse
 * each datagram (flow_udp_skb): a local port at or above ephemeral_port_min makes the pod the client (key:
 * destination and its port), otherwise the server (key: the source, with the pod's port). UDP flows are not split
 * by backend.
 *
 * Selection: flow_budget has an entry exactly for the pods selected with flows; a pod at its budget gets no new
 * flow (counted in refused). Inserts that fail because the map is full are counted in map_full.
 */

#define SONDE_NF_ACCEPT 1
#define SONDE_IP_CT_NEW 2
#define SONDE_IPS_DST_NAT (1UL << 5)
#define SONDE_IP_CT_DIR_ORIGINAL 0
#define SONDE_IP_CT_DIR_REPLY 1

/* the socket's remote address, IPv4-mapped for IPv4 */
static __always_inline void sk_peer_addr(const struct sock *sk, __u8 out[16])
{
	if (sk->__sk_common.skc_family == SONDE_AF_INET6)
		BPF_CORE_READ_INTO(out, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
	else
		v4_mapped(out, sk->__sk_common.skc_daddr);
}

static __always_inline void sk_local_addr(const struct sock *sk, __u8 out[16])
{
	if (sk->__sk_common.skc_family == SONDE_AF_INET6)
		BPF_CORE_READ_INTO(out, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8);
	else
		v4_mapped(out, sk->__sk_common.skc_rcv_saddr);
}

/*
 * The flow's counters, creating the flow when the pod's budget allows; NULL when the pod is not selected with flows
 * or the flow can't be created (refused or map full, both counted).
 */
static __always_inline struct flow_value *flow_of(const struct flow_key *key)
{
	struct flow_value *v = bpf_map_lookup_elem(&flows, key);

	if (v)
		return v;
	struct flow_budget *b = bpf_map_lookup_elem(&flow_budget, &key->cgroup_id);

	if (!b)
		return NULL;
	if (b->used >= b->limit) {
		__sync_fetch_and_add(&b->refused, 1);
		return NULL;
	}
	struct flow_value zero = {};
	long err = bpf_map_update_elem(&flows, key, &zero, BPF_NOEXIST);

	if (!err)
		__sync_fetch_and_add(&b->used, 1);
	else if (err != -EEXIST)
		note_map_full(SONDE_MAP_FLOWS);
	return bpf_map_lookup_elem(&flows, key);
}

/* A DNATed connection's backend from nat_backends, by the socket's original tuple. */
static __always_inline void resolve_backend(const struct sock *sk, struct flow_key *key)
{
	struct nat_key nk = {};

	sk_local_addr(sk, nk.src);
	sk_peer_addr(sk, nk.dst);
	nk.sport = bpf_htons(sk->__sk_common.skc_num);
	nk.dport = sk->__sk_common.skc_dport;
	nk.protocol = SONDE_IPPROTO_TCP;
	struct nat_backend *b = bpf_map_lookup_elem(&nat_backends, &nk);

	if (b) {
		__builtin_memcpy(key->backend, b->addr, 16);
		key->backend_port = bpf_ntohs(b->port);
	}
}

/* The flow state in socket storage s (may be NULL); NULL when there is none (not a flows-selected pod's socket) */
static __always_inline struct flow_sock *tracked_flow(struct sock_state *s)
{
	return s && s->flow.tracked ? &s->flow : NULL;
}

/* The socket's flow state; NULL when it has none. */
static __always_inline struct flow_sock *flow_sock_of(const struct sock *sk)
{
	return tracked_flow(bpf_sk_storage_get(&sock_state, (struct sock *)sk, 0, 0));
}

/* The socket's flow, its backend resolved now if it is still connecting; NULL for sockets without flows. */
static __always_inline struct flow_value *socket_flow(const struct sock *sk)
{
	struct flow_sock *fs = flow_sock_of(sk);

	if (!fs || fs->refused)
		return NULL;
	if (!fs->ready) {
		resolve_backend(sk, &fs->key);
		fs->ready = 1;
	}
	struct flow_value *v = flow_of(&fs->key);

	/*
	 * Refused (or map full): counted once, here. A refused connect's RST arrives before its outcome, so whichever
	 * event comes first marks the socket and the later ones are not counted per peer.
	 */
	if (!v)
		fs->refused = 1;
	return v;
}

static __always_inline void add_rtt(struct flow_value *v, __u32 srtt_us)
{
	__u32 b = log2_bucket(srtt_us);

	if (b < SONDE_HIST_BUCKETS)
		v->rtt_buckets[b] += 1;
	v->rtt_sum_us += srtt_us;
}

/* tcp_sock.total_retrans: incremented together with TcpRetransSegs (and by a passive socket's SYN-ACK retransmits) */
static __always_inline __u32 total_retransmits(const struct sock *sk)
{
	return BPF_CORE_READ((const struct tcp_sock *)sk, total_retrans); /* cast: probe_read */
}

/*
 * The socket's retransmits not yet in its flow. tcp_retransmit_skb fires for every attempt, also for those that failed
 * before the MIB counted them and for those that failed after (err says which only by kernel version), and a run can
 * be missed (a nested run of the same program on one CPU is skipped): the socket's own total is what TcpRetransSegs
 * counted, so the flow takes its growth, at each retransmit and once more when the socket closes.
 */
static __always_inline void add_retransmits(const struct sock *sk, struct flow_sock *fs)
{
	__u32 total = total_retransmits(sk);
	__u32 d = total - fs->retransmits;

	if (!d)
		return;
	struct flow_value *v = socket_flow(sk);

	if (v) {
		v->retransmits += d;
		fs->retransmits = total;
	}
}

/*
 * A flows-selected pod's new TCP socket: its flow key (the socket's cgroup and peer, the server port, the direction) in
 * fresh socket storage; NULL when the pod has no flows or the storage can't be had (counted).
 */
static __always_inline struct flow_sock *new_flow_sock(const struct sock *sk, __u64 cg, __u16 server_port,
						       __u8 direction)
{
	if (!bpf_map_lookup_elem(&flow_budget, &cg))
		return NULL;
	/* tcpRtt may have made the socket's storage already; its part stays */
	struct sock_state *s = bpf_sk_storage_get(&sock_state, (struct sock *)sk, 0, BPF_SK_STORAGE_GET_F_CREATE);

	if (!s) {
		note_map_full(SONDE_MAP_SOCK_STATE);
		return NULL;
	}
	struct flow_sock *fs = &s->flow;

	__builtin_memset(fs, 0, sizeof(*fs));
	fs->tracked = 1;
	fs->key.cgroup_id = cg;
	sk_peer_addr(sk, fs->key.peer);
	fs->key.port = server_port;
	fs->key.direction = direction;
	fs->key.protocol = SONDE_IPPROTO_TCP;
	return fs;
}

/* flows' part of sonde_tcp_state (tracepoints.bpf.h): a selected cgroup's TCP socket changing state */
static __always_inline void flow_state(const struct sock *sk, __u64 cg, int oldstate, int newstate)
{
	if (newstate == TCP_STATE_SYN_SENT) {
		struct flow_sock *fs = new_flow_sock(sk, cg, bpf_ntohs(sk->__sk_common.skc_dport), SONDE_FLOW_ACTIVE);

		if (fs) /* a socket connected again: its earlier connections' retransmits are not this one's */
			fs->retransmits = total_retransmits(sk);
		return;
	}
	if (newstate == TCP_STATE_CLOSE) {
		/* no retransmit after this: what the tracepoint missed is caught up */
		struct flow_sock *fs = flow_sock_of(sk);

		if (fs && !fs->refused)
			add_retransmits(sk, fs);
	}
	if (oldstate == TCP_STATE_SYN_SENT) {
		/* the connect's outcome: one connection of the flow, failed when it goes straight to CLOSE */
		struct flow_sock *fs = flow_sock_of(sk);

		if (!fs || fs->refused)
			return;
		struct flow_value *v = socket_flow(sk);

		if (!v) {
			fs->refused = 1; /* over the pod's budget: the connection's later events are not counted either */
			return;
		}
		v->connections += 1;
		if (newstate == TCP_STATE_CLOSE)
			v->connect_failures += 1;
		return;
	}
	if (oldstate == TCP_STATE_SYN_RECV && newstate == TCP_STATE_ESTABLISHED) {
		struct flow_sock *fs = new_flow_sock(sk, cg, sk->__sk_common.skc_num, SONDE_FLOW_PASSIVE);

		if (!fs)
			return;
		fs->ready = 1;
		struct flow_value *v = flow_of(&fs->key);

		if (!v) {
			fs->refused = 1;
			return;
		}
		v->connections += 1;
		add_retransmits(sk, fs); /* the handshake's SYN-ACK retransmits, counted in the child's total */
		return;
	}
	if (oldstate == TCP_STATE_ESTABLISHED) {
		/* a connection shorter than the RTT sampling period still gives one sample */
		struct flow_sock *fs = flow_sock_of(sk);

		if (!fs || fs->refused || fs->last_rtt_ns)
			return;
		__u32 srtt = srtt_micros(sk);
		struct flow_value *v = srtt ? flow_of(&fs->key) : NULL;

		if (v)
			add_rtt(v, srtt);
	}
}

/* flows' part of sonde_sock_tx and sonde_sock_rx: a selected cgroup's TCP send or receive call */
static __always_inline void flow_bytes(const struct sock *sk, int ret, bool sent)
{
	struct flow_value *v = socket_flow(sk);

	if (!v)
		return;
	if (sent)
		v->tx_bytes += ret;
	else
		v->rx_bytes += ret;
}

/* flows' part of sonde_tcp_retx: a selected cgroup's retransmit attempt */
static __always_inline void flow_retx(const struct sock *sk)
{
	struct flow_sock *fs = flow_sock_of(sk);

	if (fs && !fs->refused)
		add_retransmits(sk, fs);
}

/* flows' part of sonde_tcp_rst_tx and sonde_tcp_rst_rx: an RST of a selected cgroup's socket */
static __always_inline void flow_reset(const struct sock *sk, bool sent)
{
	struct flow_value *v = socket_flow(sk);

	if (!v)
		return;
	if (sent)
		v->resets_sent += 1;
	else
		v->resets_received += 1;
}

/* flows' part of sonde_tcp_probe: a selected cgroup's socket received a segment; s its storage or NULL */
static __always_inline void flow_probe(struct sock *sk, struct sock_state *s)
{
	struct flow_sock *fs = tracked_flow(s);

	if (!fs || fs->refused || !fs->ready)
		return;
	__u64 now = bpf_ktime_get_ns();

	if (fs->last_rtt_ns && now - fs->last_rtt_ns < rtt_sample_period_ns)
		return;
	__u32 srtt = srtt_micros(sk);
	struct flow_value *v = srtt ? flow_of(&fs->key) : NULL;

	if (v) {
		fs->last_rtt_ns = now;
		add_rtt(v, srtt);
	}
}

/*
 * flows' part of the cgroup_skb programs (cgroup_skb.bpf.h): a UDP datagram of a pod selected with flows, counted
 * under its flow key from the headers (local/remote as seen from the pod). Nothing for pods without flows.
 */
static __always_inline void flow_udp_skb(__u64 cgroup_id, const struct udp_packet *p, bool egress)
{
	if (!bpf_map_lookup_elem(&flow_budget, &cgroup_id))
		return;
	struct flow_key key = {};
	__u16 local_port = bpf_ntohs(egress ? p->udp.source : p->udp.dest);
	__u16 remote_port = bpf_ntohs(egress ? p->udp.dest : p->udp.source);

	key.cgroup_id = cgroup_id;
	__builtin_memcpy(key.peer, egress ? p->dst : p->src, 16);
	key.protocol = SONDE_IPPROTO_UDP;
	if (local_port >= ephemeral_port_min) {
		key.direction = SONDE_FLOW_ACTIVE;
		key.port = remote_port;
	} else {
		key.direction = SONDE_FLOW_PASSIVE;
		key.port = local_port;
	}
	__u16 len = bpf_ntohs(p->udp.len);
	__u32 payload = len > sizeof(p->udp) ? len - sizeof(p->udp) : 0;
	struct flow_value *v = flow_of(&key);

	if (!v)
		return;
	if (egress)
		v->tx_bytes += payload;
	else
		v->rx_bytes += payload;
}

/* conntrack tuple address as 16 bytes (IPv4-mapped for IPv4) */
static __always_inline void ct_addr(__u8 out[16], const union nf_inet_addr *a, __u16 l3num)
{
	if (l3num == SONDE_AF_INET6) {
		bpf_probe_read_kernel(out, 16, a);
	} else {
		__u32 v4 = 0;

		bpf_probe_read_kernel(&v4, 4, a);
		v4_mapped(out, v4);
	}
}

/*
 * After kube-proxy's DNAT (the agent attaches this at PRE_ROUTING and LOCAL_OUT, just after NF_IP_PRI_NAT_DST): for
 * the first packet of a connection that was DNATed, remember where it went. Everything else returns at the first
 * test (the ctinfo bits of skb->_nfct).
 */
SEC("netfilter")
int sonde_flow_nat(struct bpf_nf_ctx *ctx)
{
	const struct sk_buff *skb = ctx->skb;
	unsigned long nfct = BPF_CORE_READ(skb, _nfct);

	if ((nfct & 7) != SONDE_IP_CT_NEW)
		return SONDE_NF_ACCEPT;
	const struct nf_conn *ct = (const struct nf_conn *)(nfct & ~7UL);

	if (!(BPF_CORE_READ(ct, status) & SONDE_IPS_DST_NAT))
		return SONDE_NF_ACCEPT;
	struct nf_conntrack_tuple orig, reply;

	if (bpf_probe_read_kernel(&orig, sizeof(orig), &ct->tuplehash[SONDE_IP_CT_DIR_ORIGINAL].tuple) ||
	    bpf_probe_read_kernel(&reply, sizeof(reply), &ct->tuplehash[SONDE_IP_CT_DIR_REPLY].tuple))
		return SONDE_NF_ACCEPT;
	if (orig.dst.protonum != SONDE_IPPROTO_TCP)
		return SONDE_NF_ACCEPT;
	struct nat_key nk = {};
	struct nat_backend nb = {};

	ct_addr(nk.src, &orig.src.u3, orig.src.l3num);
	ct_addr(nk.dst, &orig.dst.u3, orig.src.l3num);
	nk.sport = orig.src.u.all;
	nk.dport = orig.dst.u.all;
	nk.protocol = orig.dst.protonum;
	ct_addr(nb.addr, &reply.src.u3, reply.src.l3num);
	nb.port = reply.src.u.all;
	bpf_map_update_elem(&nat_backends, &nk, &nb, BPF_ANY);
	return SONDE_NF_ACCEPT;
}
