#!/usr/bin/env python3
"""Send one IPv4 packet with protocol TCP that is a later fragment
(offset 1480, no TCP header in it): tcpdump's `ip and tcp` matches it.

    tcpfrag.py SRC DST
"""
import socket
import struct
import sys

src, dst = sys.argv[1], sys.argv[2]
payload = b"later-fragment-bytes"
hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0x4242,
                  1480 // 8, 64, socket.IPPROTO_TCP, 0,
                  socket.inet_aton(src), socket.inet_aton(dst))
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
s.sendto(hdr + payload, (dst, 0))
