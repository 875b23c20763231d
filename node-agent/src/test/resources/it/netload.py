#!/usr/bin/env python3
"""Traffic the kernel-probe ITs control. Every mode prints one JSON line with its own count of
what it did (ground truth from the application's side); servers print READY <port> first."""
import argparse, errno, json, random, socket, struct

def out(**kw):
    print(json.dumps(kw), flush=True)

def serve(a):
    ls = socket.socket(socket.AF_INET6 if ':' in a.host else socket.AF_INET)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((a.host, a.port))
    ls.listen(512)
    print("READY %d" % ls.getsockname()[1], flush=True)
    read = written = conns = 0
    while a.conns == 0 or conns < a.conns:
        c, _ = ls.accept()
        conns += 1
        while True:  # read until the client's FIN (or the first byte when aborting)
            b = c.recv(1 << 16)
            if not b:
                break
            read += len(b)
            if a.abort:
                break
        if a.abort:
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        elif a.reply:
            c.sendall(b'r' * a.reply)
            written += a.reply
        c.close()
        out(conns=conns, read=read, written=written) if a.verbose else None
    out(conns=conns, read=read, written=written)

def client(a):
    written = read = ok = refused = reset = 0
    for _ in range(a.conns):
        s = socket.socket(socket.AF_INET6 if ':' in a.host else socket.AF_INET)
        try:
            s.connect((a.host, a.port))
        except ConnectionRefusedError:
            refused += 1
            s.close()
            continue
        ok += 1
        try:
            if a.send:
                buf = b's' * min(a.send, 1 << 16)
                left = a.send
                while left:
                    n = s.send(buf[:min(left, len(buf))])
                    left -= n
                    written += n
            # --await-reset: no FIN, or one racing the server's RST would reach a closed socket and
            # make the kernel send a second, socket-less RST
            if not a.await_reset:
                try:
                    s.shutdown(socket.SHUT_WR)
                except OSError as e:  # already reset by the peer: recv() reports the ECONNRESET
                    if e.errno != errno.ENOTCONN:
                        raise
            while True:
                b = s.recv(1 << 16)
                if not b:
                    break
                read += len(b)
        except ConnectionResetError:
            reset += 1
        s.close()
    out(ok=ok, refused=refused, reset=reset, written=written, read=read)

def udp(a):
    sent = failed = 0
    for i in range(a.count):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s.sendto(b'x' * 32, (a.host, a.port))
            sent += 1
        except OSError:
            failed += 1
        s.close()
    out(sent=sent, failed=failed)

def dns_query(qid, name):
    q = struct.pack('!HHHHHH', qid, 0x0100, 1, 0, 0, 0)
    for label in name.split('.'):
        q += bytes([len(label)]) + label.encode()
    return q + b'\x00' + struct.pack('!HH', 1, 1)

def dns(a):
    rcodes = {}
    unanswered = 0
    names = a.names.split(',')
    qid = random.randint(1, 60000)
    for name in names:
        qid += 1
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(a.timeout)
        s.sendto(dns_query(qid, name), (a.host, a.port))
        try:
            while True:
                r = s.recv(4096)
                rid, flags = struct.unpack('!HH', r[:4])
                if rid == qid:
                    break
            rc = flags & 0xF
            rcodes[str(rc)] = rcodes.get(str(rc), 0) + 1
        except (socket.timeout, ConnectionRefusedError):
            unanswered += 1
        s.close()
    out(rcodes=rcodes, unanswered=unanswered)

def echo(a):
    """Echoes every connection's bytes back until --conns connections have closed."""
    import selectors
    ls = socket.socket(socket.AF_INET)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((a.host, a.port))
    ls.listen(512)
    print("READY %d" % ls.getsockname()[1], flush=True)
    sel = selectors.DefaultSelector()
    sel.register(ls, selectors.EVENT_READ)
    closed = echoed = 0
    while closed < a.conns:
        for key, _ in sel.select():
            if key.fileobj is ls:
                c, _ = ls.accept()
                sel.register(c, selectors.EVENT_READ)
                continue
            b = key.fileobj.recv(1 << 16)
            if not b:
                sel.unregister(key.fileobj)
                key.fileobj.close()
                closed += 1
            else:
                key.fileobj.sendall(b)
                echoed += len(b)
    out(conns=closed, echoed=echoed)

def hold(a):
    """Holds --conns connections open for --seconds, each sending 100 bytes and reading the echo every 100 ms."""
    import time
    socks = [socket.create_connection((a.host, a.port)) for _ in range(a.conns)]
    print("READY %d" % len(socks), flush=True)
    end = time.monotonic() + a.seconds
    rounds = 0
    while time.monotonic() < end:
        for s in socks:
            s.sendall(b'h' * 100)
            got = 0
            while got < 100:
                got += len(s.recv(100 - got))
        rounds += 1
        time.sleep(0.1)
    for s in socks:
        s.close()
    out(conns=len(socks), rounds=rounds)

p = argparse.ArgumentParser()
p.add_argument('mode')
p.add_argument('--host', default='127.0.0.1')
p.add_argument('--port', type=int, default=0)
p.add_argument('--conns', type=int, default=1)
p.add_argument('--send', type=int, default=0)
p.add_argument('--reply', type=int, default=0)
p.add_argument('--abort', action='store_true')
p.add_argument('--await-reset', action='store_true')
p.add_argument('--verbose', action='store_true')
p.add_argument('--count', type=int, default=1)
p.add_argument('--names', default='')
p.add_argument('--timeout', type=float, default=2.0)
p.add_argument('--seconds', type=float, default=1.0)
a = p.parse_args()
{'server': serve, 'client': client, 'udp': udp, 'dns': dns, 'echo': echo, 'hold': hold}[a.mode](a)
