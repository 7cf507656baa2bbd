#!/usr/bin/env python3
"""A minimal keep-alive HTTP/1.1 responder for the load-balancing bench:
every request gets one short reply in a single write (so no Nagle and
delayed-ACK stall, which python3 -m http.server hits with its separate
header and body writes).

    httpd.py ADDR PORT
"""
import asyncio
import sys

REPLY = b'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Type: text/plain\r\n\r\nb1\n'


async def serve(reader, writer):
    buf = b''
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            buf += data
            n = buf.count(b'\r\n\r\n')
            if n:
                buf = buf[buf.rfind(b'\r\n\r\n') + 4:]
                writer.write(REPLY * n)
                await writer.drain()
    except ConnectionError:
        pass
    writer.close()


async def main():
    server = await asyncio.start_server(serve, sys.argv[1], int(sys.argv[2]), backlog=1024)
    print(f'httpd.py: serving on {sys.argv[1]}:{sys.argv[2]}', flush=True)
    async with server:
        await server.serve_forever()

asyncio.run(main())
