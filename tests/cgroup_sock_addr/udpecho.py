#!/usr/bin/env python3
# udpecho.py ADDR PORT: send every datagram back to its sender from the
# one bound socket, in one process. (socat's UDP-RECVFROM,fork echo
# forks and execs per datagram; on a slow machine a child still alive
# read the next client's datagram and dropped it: a query timed out.)
# An IPv6 ADDR ("::") also takes IPv4 clients.
import socket
import sys

addr, port = sys.argv[1], int(sys.argv[2])
family = socket.AF_INET6 if ':' in addr else socket.AF_INET
s = socket.socket(family, socket.SOCK_DGRAM)
if family == socket.AF_INET6:
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind((addr, port))
while True:
    data, peer = s.recvfrom(65535)
    s.sendto(data, peer)
