#!/usr/bin/env python3
# tcpprobe.py [-6] [--set SNDBUF RCVBUF] PORT: one loopback TCP connection,
# client and server in this process; print both ends' SO_SNDBUF/SO_RCVBUF
# once established, move some bytes, close (client first), and wait until
# the kernel has finished with both ends.
#   --set: set the buffers by hand with setsockopt(), the reference values.
import socket
import sys
import time


def say(*parts):
    # One write per line: stdout may be unbuffered (PYTHONUNBUFFERED) and
    # shared with the loader's own lines.
    sys.stdout.write(' '.join(str(p) for p in parts) + '\n')
    sys.stdout.flush()


args = sys.argv[1:]
family, host = socket.AF_INET, '127.0.0.1'
if args[0] == '-6':
    family, host = socket.AF_INET6, '::1'
    args = args[1:]
hand = None
if args[0] == '--set':
    hand = (int(args[1]), int(args[2]))
    args = args[3:]
port = int(args[0])


def bufs(s):
    return (s.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF),
            s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF))


lst = socket.socket(family, socket.SOCK_STREAM)
lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
lst.bind((host, port))
lst.listen(1)
cli = socket.socket(family, socket.SOCK_STREAM)
if hand:
    cli.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, hand[0])
    cli.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, hand[1])
cli.connect((host, port))
srv, _ = lst.accept()
if hand:
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, hand[0])
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, hand[1])
say('client sndbuf %d rcvbuf %d' % bufs(cli))
say('server sndbuf %d rcvbuf %d' % bufs(srv))
cli.sendall(b'x' * 100000)
got = 0
while got < 100000:
    got += len(srv.recv(65536))
srv.sendall(b'done')
cli.recv(4)
say('moved %d bytes' % got)
cli.close()
srv.recv(1)          # the client's FIN
srv.close()
lst.close()
time.sleep(0.2)      # the last ACK and the final state changes
