// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * One object for all probes: they share the selection and metrics maps, and the agent
 * attaches each program independently. Probes live in probes/, one file per contract name;
 * where several probes look at one hook they are parts of one program: the two cgroup_skb
 * programs (cgroup_skb.bpf.h) and the shared tracepoint programs (tracepoints.bpf.h).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>

#define EEXIST 17

#include "sonde.h"
#include "maps.h"
#include "helpers.h"

#include "probes/tcp_connections.bpf.h"
#include "probes/tcp_retransmits.bpf.h"
#include "probes/tcp_resets.bpf.h"
#include "probes/tcp_rtt.bpf.h"
#include "probes/traffic.bpf.h"
#include "probes/packet_drops.bpf.h"
#include "probes/dns.bpf.h"
#include "probes/flows.bpf.h"
#include "probes/cgroup_skb.bpf.h"
#include "probes/tracepoints.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";
