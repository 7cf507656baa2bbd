#!/usr/bin/env python3
# optprobe.py [-6] OP...: setsockopt/getsockopt on one TCP socket, one line
# per OP, for the cgroup_sockopt scenario test.
#
#   set:LEVEL:OPT:VALUE[:LEN]   setsockopt with an int VALUE in a LEN-byte buffer
#   get:LEVEL:OPT[:LEN]         getsockopt into a LEN-byte buffer (default 4)
#
# LEVEL and OPT are names of the socket module (SOL_SOCKET, SO_DEBUG,
# IPPROTO_IP, IP_TOS ...) or numbers. Prints "OP ok [VALUE]" or "OP ERRNO".
import ctypes
import errno
import os
import socket
import struct
import sys


def say(*parts):
    # One write per line: stdout may be unbuffered (PYTHONUNBUFFERED) and
    # shared with the loader's own lines.
    sys.stdout.write(' '.join(str(p) for p in parts) + '\n')
    sys.stdout.flush()



def num(name):
    return int(name) if name.lstrip('-').isdigit() else getattr(socket, name)


LIBC = ctypes.CDLL(None, use_errno=True)


def getsockopt(sock, level, opt, length):
    # socket.getsockopt() stops at 1024 bytes; the test needs more than a page.
    buf = ctypes.create_string_buffer(length)
    n = ctypes.c_uint(length)
    if LIBC.getsockopt(sock.fileno(), level, opt, buf, ctypes.byref(n)):
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return buf.raw[:n.value]


def run(sock, op):
    f = op.split(':')
    try:
        if f[0] == 'set':
            length = int(f[4]) if len(f) > 4 else 4
            buf = struct.pack('i', int(f[3])).ljust(length, b'\0')
            sock.setsockopt(num(f[1]), num(f[2]), buf)
            return f'{op} ok'
        length = int(f[3]) if len(f) > 3 else 4
        got = getsockopt(sock, num(f[1]), num(f[2]), length)
        val = struct.unpack('i', got[:4])[0] if len(got) >= 4 else got.hex()
        return f'{op} ok {val} len={len(got)}'
    except OSError as e:
        return f'{op} {errno.errorcode.get(e.errno, e.errno)}'


def main():
    args = sys.argv[1:]
    family = socket.AF_INET
    if args and args[0] == '-6':
        family = socket.AF_INET6
        args = args[1:]
    with socket.socket(family, socket.SOCK_STREAM) as s:
        for op in args:
            say(run(s, op))


main()
