"""Hostile targets on loopback, for the suite's hardening tests: a gzip bomb, a server that
drips its answer one byte at a time, and one that echoes the credentials it was sent.

Raw sockets, not an ASGI app: these servers break HTTP on purpose (endless headers, bodies that
inflate a thousandfold) in ways a framework would not let them.
"""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache

Handler = Callable[[socket.socket, bytes], None]
GIB = 1024**3


@cache
def gzip_bomb(size: int = GIB) -> bytes:
    """`size` zero bytes, gzip-compressed at level 9 (1 GiB → about 1 MiB on the wire).

    One 16 MiB block is deflated once, ending on a full flush (which resets the compressor, so
    the segment does not depend on what came before) and repeated: a second, not 20.
    """
    block = 16 * 1024 * 1024
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    segment = packer.compress(bytes(block)) + packer.flush(zlib.Z_FULL_FLUSH)
    count = size // block
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(bytes(block), crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    trailer = crc.to_bytes(4, "little") + (count * block % 2**32).to_bytes(4, "little")
    return header + segment * count + packer.flush() + trailer


def _read_request(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def bomb_handler(conn: socket.socket, request: bytes) -> None:
    body = gzip_bomb()
    head = (
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    conn.sendall(head.encode() + body)


def drip_handler(interval: float = 0.5) -> Handler:
    """A status line, then one header byte every `interval` seconds, for ever."""

    def handle(conn: socket.socket, request: bytes) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nX-Drip: ")
        while True:
            time.sleep(interval)
            conn.sendall(b"x")

    return handle


def credentials_in(request: bytes) -> str:
    """The decoded `user:password` of the request's Basic header ('' without one)."""
    for line in request.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"authorization" and value.strip().startswith(b"Basic "):
            return base64.b64decode(value.strip()[6:]).decode("latin-1")
    return ""


def echo_handler(conn: socket.socket, request: bytes) -> None:
    """EMQX-4-shaped answers that carry the caller's credentials back, in clear and encoded,
    in the body and in a header (as a debugging proxy or a careless broker might)."""
    pair = credentials_in(request)
    if not pair:
        head = 'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic Realm="echo"\r\n'
        conn.sendall((head + "Content-Length: 0\r\n\r\n").encode())
        return
    password = pair.partition(":")[2]
    token = base64.b64encode(pair.encode()).decode()
    rows = [{"clientid": password, "username": pair, "node": token}]
    body = json.dumps({"code": 0, "data": rows, "message": f"you sent {pair}"}).encode()
    head = (
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        f"X-Echo: {password}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    conn.sendall(head.encode() + body)


@contextmanager
def hostile(handler: Handler) -> Iterator[str]:
    """Serve `handler` (one thread per connection, keep-alive) on a loopback port."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    stop = threading.Event()

    def connection(conn: socket.socket) -> None:
        with conn:
            try:
                while not stop.is_set():
                    request = _read_request(conn)
                    if not request:
                        return
                    handler(conn, request)
            except OSError:
                return

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=connection, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        listener.close()
