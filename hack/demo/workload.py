#!/usr/bin/env python3
"""Demo workloads for hack/demo.sh: steady TCP traffic with a share of failing connects, and DNS
lookups with a share of names that don't exist. Each runs until killed; all traffic stays on loopback."""
import argparse, random, socket, struct, time

def server(a):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(('127.0.0.1', a.port))
    ls.listen(512)
    while True:
        c, _ = ls.accept()
        c.recv(4096)
        c.sendall(b'ok')
        c.close()

def client(a):
    n = 0
    while True:
        n += 1
        # every n-th connect goes to a port nobody listens on: refused, a failed connect
        port = a.closed_port if a.fail_every and n % a.fail_every == 0 else a.port
        s = socket.socket()
        try:
            s.connect(('127.0.0.1', port))
            s.sendall(b'GET / demo\n')
            s.recv(4096)
        except OSError:
            pass
        finally:
            s.close()
        time.sleep(1.0 / a.rate)

def query(qid, name):
    header = struct.pack('!HHHHHH', qid, 0x0100, 1, 0, 0, 0)
    labels = b''.join(bytes([len(p)]) + p.encode() for p in name.split('.')) + b'\0'
    return header + labels + struct.pack('!HH', 1, 1)

def dns(a):
    n = 0
    while True:
        n += 1
        name = 'missing-%d.%s' % (n, a.zone) if a.missing_every and n % a.missing_every == 0 else 'checkout.' + a.zone
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(1)
        try:
            s.sendto(query(random.randint(0, 0xffff), name), ('127.0.0.1', a.port))
            s.recv(512)
        except OSError:
            pass
        finally:
            s.close()
        time.sleep(1.0 / a.rate)

p = argparse.ArgumentParser()
p.add_argument('mode', choices=['server', 'client', 'dns'])
p.add_argument('--port', type=int, required=True)
p.add_argument('--closed-port', type=int, default=1)
p.add_argument('--fail-every', type=int, default=0)
p.add_argument('--missing-every', type=int, default=0)
p.add_argument('--rate', type=float, default=10)
p.add_argument('--zone', default='demo.sonde.test')
a = p.parse_args()
{'server': server, 'client': client, 'dns': dns}[a.mode](a)
