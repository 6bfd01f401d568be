"""The two ways bytes reach the broker: a TCP socket, or binary frames of a WebSocket.

Both are read as one `asyncio.StreamReader` (a WebSocket message may hold part of a packet or
several), and written through `send`, which never blocks the world: bytes go to the socket's
buffer, and a peer that stops reading is dropped once that buffer passes `MAX_BUFFERED`
(EMQX closes congested connections too; nothing is buffered without bound).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Protocol

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

__all__ = ["MAX_BUFFERED", "TcpTransport", "Transport", "WsTransport"]

MAX_BUFFERED = 8 << 20


class Transport(Protocol):
    listener: str  # the world's listener name: "tcp:default", "ws:default"
    peer: tuple[str, int]
    reader: asyncio.StreamReader

    def send(self, data: bytes) -> bool:
        """Queue bytes; False when the peer is gone or congested (the caller closes)."""
        ...

    async def close(self) -> None: ...


class TcpTransport:
    listener = "tcp:default"

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self._writer = reader, writer
        peer = writer.get_extra_info("peername") or ("0.0.0.0", 0)
        self.peer = (str(peer[0]), int(peer[1]))

    def send(self, data: bytes) -> bool:
        if self._writer.is_closing():
            return False
        if self._writer.transport.get_write_buffer_size() > MAX_BUFFERED:
            return False
        self._writer.write(data)
        return True

    async def close(self) -> None:
        if not self._writer.is_closing():
            self._writer.close()
        with contextlib.suppress(Exception):
            await self._writer.wait_closed()


class WsTransport:
    """MQTT over WebSocket (MQTT 5 §6): each binary message carries stream bytes."""

    listener = "ws:default"

    def __init__(self, ws: ServerConnection) -> None:
        self._ws = ws
        self.reader = asyncio.StreamReader()
        peer = ws.remote_address or ("0.0.0.0", 0)
        self.peer = (str(peer[0]), int(peer[1]))
        self._out: asyncio.Queue[bytes | None] = asyncio.Queue()
        self._queued = 0
        self._closed = False
        self._tasks = [
            asyncio.ensure_future(self._pump_in()),
            asyncio.ensure_future(self._pump_out()),
        ]

    async def _pump_in(self) -> None:
        try:
            async for message in self._ws:
                if isinstance(message, str):  # MQTT 5 §6.0: text frames close the connection
                    break
                self.reader.feed_data(message)
        except ConnectionClosed:
            pass
        finally:
            self.reader.feed_eof()

    async def _pump_out(self) -> None:
        while True:
            data = await self._out.get()
            if data is None:
                return
            self._queued -= len(data)
            try:
                await self._ws.send(data)
            except ConnectionClosed:
                return

    def send(self, data: bytes) -> bool:
        if self._closed or self._queued + len(data) > MAX_BUFFERED:
            return False
        self._queued += len(data)
        self._out.put_nowait(data)
        return True

    async def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._out.put_nowait(None)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._tasks[1], 2)
            await self._ws.close()
        for task in self._tasks:
            task.cancel()

    async def wait(self) -> None:
        """Until the peer's side ends (the handler of the WebSocket server awaits this)."""
        await asyncio.gather(*self._tasks, return_exceptions=True)
