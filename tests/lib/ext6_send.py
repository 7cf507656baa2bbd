#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""One UDP datagram over IPv6 behind N destination-options headers.

ext6_send.py SRC DST PORT N PAYLOAD

PORT "echo" sends an ICMPv6 echo request instead (identifier 0x6e78,
sequence N), which the kernel answers behind any number of them too.

Each extension header is 8 bytes (one PadN option), which the kernel
accepts in any number and follows to UDP. Written whole, IPv6 header
included, through a raw IPPROTO_RAW socket (the kernel adds nothing), with
the UDP checksum computed here.
"""
import socket
import struct
import sys

NEXTHDR_DEST, IPPROTO_UDP, IPPROTO_ICMPV6 = 60, 17, 58


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def main():
    if len(sys.argv) != 6:
        sys.exit("usage: ext6_send.py SRC DST PORT N PAYLOAD")
    src = socket.inet_pton(socket.AF_INET6, sys.argv[1])
    dst = socket.inet_pton(socket.AF_INET6, sys.argv[2])
    n, payload = int(sys.argv[4]), sys.argv[5].encode() + b"\n"

    ulen = 8 + len(payload)
    if sys.argv[3] == "echo":
        proto = IPPROTO_ICMPV6
        udp = struct.pack("!BBHHH", 128, 0, 0, 0x6E78, n) + payload
        at = 2
    else:
        proto = IPPROTO_UDP
        udp = struct.pack("!HHHH", 40000, int(sys.argv[3]), ulen, 0) + payload
        at = 6
    pseudo = src + dst + struct.pack("!I3xB", ulen, proto)
    c = csum(pseudo + udp)
    if proto == IPPROTO_UDP:
        c = c or 0xFFFF     # 0 means "no checksum" in UDP
    udp = udp[:at] + struct.pack("!H", c) + udp[at + 2:]

    ext = b""
    for i in range(n):
        nh = NEXTHDR_DEST if i + 1 < n else proto
        ext += bytes([nh, 0, 1, 4, 0, 0, 0, 0])      # PadN of 4 bytes
    first = NEXTHDR_DEST if n else proto
    ip6 = struct.pack("!IHBB", 6 << 28, len(ext) + len(udp), first, 64) + src + dst

    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s.sendto(ip6 + ext + udp, (sys.argv[2], 0))


if __name__ == "__main__":
    main()
