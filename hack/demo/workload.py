#!/usr/bin/env python3
"""Demo workloads for hack/demo.sh, run as pods: steady TCP traffic to a Service with a share of failing
connects, and DNS lookups through the cluster DNS with a share of names that don't exist. Each runs until
stopped (SIGTERM ends it at once: as PID 1 of a container it would otherwise ignore the signal).
Every mode prints a JSON line of its own counts every 5 s: the workload's ground truth. While the file
/tmp/pause exists, the clients make no traffic (the end-to-end test quiesces a pod to compare counters)."""
import argparse, json, os, random, signal, socket, struct, sys, time

signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

PAUSE = '/tmp/pause'

def report(**counts):
    print(json.dumps(counts), flush=True)

def wait_while_paused():
    while os.path.exists(PAUSE):
        time.sleep(0.2)

def server(a):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(('0.0.0.0', a.port))
    ls.listen(512)
    accepted = 0
    while True:
        c, _ = ls.accept()
        accepted += 1
        try:
            c.recv(4096)
            c.sendall(b'ok')
        except OSError:
            pass
        c.close()
        if accepted % 100 == 0:
            report(accepted=accepted)

def client(a):
    n = ok = failed = 0
    last = time.monotonic()
    # resolve the Service once, as a pooled client would: the resolver pod's lookups are the DNS traffic
    host = socket.gethostbyname(a.host)
    while True:
        wait_while_paused()
        n += 1
        # every n-th connect goes to a Service port whose backend has no listener: refused, a failed connect
        port = a.closed_port if a.fail_every and n % a.fail_every == 0 else a.port
        s = socket.socket()
        s.settimeout(2)
        try:
            s.connect((host, port))
            s.sendall(b'GET / demo\n')
            s.recv(4096)
            ok += 1
        except OSError:
            failed += 1
        finally:
            s.close()
        if time.monotonic() - last >= 5:
            report(connects=n, ok=ok, failed=failed)
            last = time.monotonic()
        time.sleep(1.0 / a.rate)

def nameserver():
    with open('/etc/resolv.conf') as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and parts[0] == 'nameserver':
                return parts[1]
    raise SystemExit('no nameserver in /etc/resolv.conf')

def query(qid, name):
    header = struct.pack('!HHHHHH', qid, 0x0100, 1, 0, 0, 0)
    labels = b''.join(bytes([len(p)]) + p.encode() for p in name.split('.')) + b'\0'
    return header + labels + struct.pack('!HH', 1, 1)

def dns(a):
    server = a.server or nameserver()
    n = answered = nxdomain = 0
    last = time.monotonic()
    while True:
        wait_while_paused()
        n += 1
        name = 'missing-%d.%s' % (n, a.zone) if a.missing_every and n % a.missing_every == 0 else a.name
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(1)
        try:
            s.sendto(query(random.randint(0, 0xffff), name), (server, 53))
            r = s.recv(512)
            answered += 1
            if len(r) >= 4 and (r[3] & 0x0F) == 3:
                nxdomain += 1
        except OSError:
            pass
        finally:
            s.close()
        if time.monotonic() - last >= 5:
            report(queries=n, answered=answered, nxdomain=nxdomain)
            last = time.monotonic()
        time.sleep(1.0 / a.rate)

p = argparse.ArgumentParser()
p.add_argument('mode', choices=['server', 'client', 'dns'])
p.add_argument('--host', default='127.0.0.1')
p.add_argument('--port', type=int, default=8080)
p.add_argument('--closed-port', type=int, default=1)
p.add_argument('--fail-every', type=int, default=0)
p.add_argument('--missing-every', type=int, default=0)
p.add_argument('--rate', type=float, default=10)
p.add_argument('--server', default='', help='DNS server; default: the nameserver of /etc/resolv.conf')
p.add_argument('--name', default='checkout.demo.svc.cluster.local', help='the name that exists')
p.add_argument('--zone', default='demo.svc.cluster.local')
a = p.parse_args()
{'server': server, 'client': client, 'dns': dns}[a.mode](a)
