#!/usr/bin/env python3
# addrprobe.py OP...: the socket calls the cgroup_sock_addr test needs, one
# line per OP: "OP ok ..." or "OP ERRNO".
#
#   udp:HOST:PORT     sendto "query", wait for the answer: "... from HOST:PORT"
#   tcp:HOST:PORT     connect: "... peer HOST:PORT" (getpeername)
#   bind6             bind [::1]:0
#   raw4              a raw IPv4 socket sending one datagram to 127.0.0.1
import errno
import socket
import sys


def say(*parts):
    # One write per line: stdout may be unbuffered (PYTHONUNBUFFERED) and
    # shared with the loader's own lines.
    sys.stdout.write(' '.join(str(p) for p in parts) + '\n')
    sys.stdout.flush()



def hostport(s):
    host, port = s.rsplit(':', 1)
    return host.strip('[]'), int(port)


def op(o):
    kind, _, rest = o.partition(':')
    if kind == 'udp':
        addr = hostport(rest)
        fam = socket.AF_INET6 if ':' in addr[0] else socket.AF_INET
        with socket.socket(fam, socket.SOCK_DGRAM) as s:
            s.settimeout(10)
            s.sendto(b'query', addr)
            data, src = s.recvfrom(100)
            return f'ok {data.decode()} from {src[0]}:{src[1]}'
    if kind == 'tcp':
        with socket.create_connection(hostport(rest), timeout=10) as s:
            peer = s.getpeername()
            return f'ok peer {peer[0]}:{peer[1]}'
    if kind == 'bind6':
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(('::1', 0))
            return 'ok'
    if kind == 'raw4':
        with socket.socket(socket.AF_INET, socket.SOCK_RAW, 253) as s:
            s.sendto(b'experiment', ('127.0.0.1', 0))
            return 'ok'
    raise SystemExit(f'addrprobe: unknown op {o}')


for o in sys.argv[1:]:
    try:
        say(o, op(o))
    except OSError as e:
        say(o, errno.errorcode.get(e.errno, 'timeout' if isinstance(e, TimeoutError) else e))
