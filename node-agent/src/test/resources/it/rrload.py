#!/usr/bin/env python3
"""Request/response load for the data-plane benchmark. The server answers each request of --size
bytes with --size bytes; the client runs for --seconds and prints one JSON line of integers: requests,
connections, bytes written and read, aborts, elapsed_ns and latency percentiles (p50_ns, p99_ns).

  rr     one persistent connection, requests back to back (like netperf TCP_RR)
  churn  a new connection per request; the client closes first (--abort: with an RST, SO_LINGER 0)
"""
import argparse, json, socket, struct, time


def recv_exact(s, n):
    got = 0
    while got < n:
        b = s.recv(n - got)
        if not b:
            return got
        got += len(b)
    return got


def serve(a):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((a.host, a.port))
    ls.listen(1024)
    print("READY %d" % ls.getsockname()[1], flush=True)
    reply = b'r' * a.size
    while True:
        c, _ = ls.accept()
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while recv_exact(c, a.size) == a.size:
                c.sendall(reply)
            # churn: the client closes first, so TIME_WAIT stays on its side
        except ConnectionResetError:
            pass
        c.close()


def client(a):
    request = b'q' * a.size
    latencies = []
    conns = written = read = aborts = 0
    s = None
    start = time.perf_counter_ns()
    deadline = start + int(a.seconds * 1e9)
    now = start
    while now < deadline:
        if s is None:
            s = socket.socket()
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            s.connect((a.host, a.port))
            conns += 1
        s.sendall(request)
        written += a.size
        got = recv_exact(s, a.size)
        read += got
        if got != a.size:
            raise SystemExit("short reply: %d bytes" % got)
        if a.mode == 'churn':
            if a.abort:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
                aborts += 1
            s.close()
            s = None
        end = time.perf_counter_ns()
        latencies.append(end - now)
        now = end
    if s is not None:
        s.close()
    latencies.sort()
    pct = lambda p: latencies[min(len(latencies) - 1, int(len(latencies) * p))]
    print(json.dumps(dict(requests=len(latencies), conns=conns, written=written, read=read, aborts=aborts,
                          elapsed_ns=now - start, p50_ns=pct(0.50), p99_ns=pct(0.99))), flush=True)


p = argparse.ArgumentParser()
p.add_argument('role', choices=['server', 'client'])
p.add_argument('--mode', choices=['rr', 'churn'], default='rr')
p.add_argument('--host', default='127.0.0.1')
p.add_argument('--port', type=int, default=0)
p.add_argument('--size', type=int, default=64)
p.add_argument('--seconds', type=float, default=5.0)
p.add_argument('--abort', action='store_true')
a = p.parse_args()
serve(a) if a.role == 'server' else client(a)
