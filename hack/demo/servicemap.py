#!/usr/bin/env python3
"""The service map of Sonde's flow metrics, as Graphviz DOT: reads the agents' Prometheus text on stdin
(sonde_flow_* series), writes DOT on stdout. Nodes are workloads (the monitored pods' k8s_*_name, else
service_name), Services, nodes and external groups; an edge is what the monitored side started (active flows):
connections, the share that failed, bytes both ways. A Service's backends hang off it (dashed). Cumulative
since each series started, as the agents count them.

  curl -sk -H "Authorization: Bearer $TOKEN" https://<agent>:9466/metrics | hack/demo/servicemap.py | dot -Tpng -o service-map.png
"""
import re
import sys
from collections import defaultdict

SAMPLE = re.compile(r'^(sonde_flow_[a-z_]+)\{(.*)\} (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
WORKLOAD_LABELS = ['k8s_deployment_name', 'k8s_statefulset_name', 'k8s_daemonset_name', 'k8s_cronjob_name',
                   'k8s_job_name', 'k8s_replicaset_name']


def local(labels):
    for key in WORKLOAD_LABELS:
        if key in labels:
            return 'workload', labels['k8s_namespace_name'] + '/' + labels[key]
    return 'workload', labels['k8s_namespace_name'] + '/' + labels.get('service_name', labels.get('k8s_pod_name', '?'))


def peer(labels):
    kind = labels.get('sonde_peer_kind', 'external')
    ns = labels.get('sonde_peer_namespace')
    if kind == 'service':
        return 'service', '%s/%s:%s' % (ns, labels.get('sonde_peer_name'), labels.get('network_peer_port'))
    if kind == 'pod':
        name = labels.get('sonde_peer_workload_name') or labels.get('sonde_peer_name') or '(pods)'
        return 'workload', '%s/%s' % (ns, name) if ns else name
    return kind, labels.get('sonde_peer_name', kind)


def human(n):
    for unit in ['B', 'kB', 'MB', 'GB']:
        if n < 1000:
            return '%.0f %s' % (n, unit)
        n /= 1000
    return '%.0f TB' % n


def main():
    edges = defaultdict(lambda: defaultdict(float))
    backends = defaultdict(set)
    for line in sys.stdin:
        m = SAMPLE.match(line.strip())
        if not m:
            continue
        metric, raw, value = m.group(1), m.group(2), float(m.group(3))
        labels = dict(LABEL.findall(raw))
        if labels.get('sonde_flow_direction') != 'active':
            continue
        src, dst = local(labels), peer(labels)
        e = edges[(src, dst, labels.get('network_transport', 'tcp'))]
        if metric == 'sonde_flow_connections_total':
            e['connections'] += value
        elif metric == 'sonde_flow_connect_failures_total':
            e['failures'] += value
        elif metric == 'sonde_flow_io_bytes_total':
            e['bytes'] += value
        if dst[0] == 'service' and labels.get('sonde_peer_backend_name'):
            backends[dst].add(labels['sonde_peer_backend_name'])
    shapes = {'workload': 'box', 'service': 'ellipse', 'node': 'box3d', 'external': 'octagon'}
    nodes = set()
    out = ['digraph sonde {', '  rankdir=LR;', '  node [fontname="Helvetica", fontsize=11];',
           '  edge [fontname="Helvetica", fontsize=10];']
    for (src, dst, transport), e in sorted(edges.items()):
        nodes.update([src, dst])
        failed = e['failures'] / e['connections'] if e['connections'] else 0
        label = '%s\\n%d conns, %.1f%% failed\\n%s' % (transport, e['connections'], 100 * failed, human(e['bytes'])) \
            if transport == 'tcp' else '%s\\n%s' % (transport, human(e['bytes']))
        color = 'red' if failed >= 0.05 else 'orange' if failed >= 0.01 else 'black'
        out.append('  "%s" -> "%s" [label="%s", color=%s, penwidth=%.1f];' % (
            src[1], dst[1], label, color, 1 + min(4, e['connections'] / 500)))
    for svc, names in sorted(backends.items()):
        for b in sorted(names):
            backend = ('workload', b if '/' in b else svc[1].split('/')[0] + '/' + b)
            nodes.add(backend)
            out.append('  "%s" -> "%s" [style=dashed, arrowhead=none, color=gray40];' % (svc[1], backend[1]))
    for kind, name in sorted(nodes):
        out.append('  "%s" [shape=%s];' % (name, shapes.get(kind, 'box')))
    out.append('}')
    print('\n'.join(out))


if __name__ == '__main__':
    main()
