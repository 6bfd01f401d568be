"""The live connections of one mock process, and what joins them to the world's hooks.

The world fires `messaging.deliveries` for every message it gives a session and
`sessions.closed` for every connection a write ends; the broker hands the first to the
connection of that client id (if it is a real one) and turns the second into a close. Both
run inside a world write, so they only queue work: the connection's own task writes.

A real session that goes offline but persists (clean start false, MQTT 5 session expiry) keeps
what the world queues for it here, at most its `max_mqueue` messages as the world counts
them, and gets them on resume; its session expiry interval is timed on the event loop and
ends it through `Channels.expire` (`session.terminated`). Under a frozen world clock the
interval is wall-clock time all the same: MQTT promises it to the client.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.fixtures.messaging import Delivery

from .session import RC_ADMINISTRATIVE, RC_SESSION_TAKEN_OVER, Connection

__all__ = ["Broker"]


class Broker:
    def __init__(self, world: World) -> None:
        self.world = world
        self._live: dict[str, Connection] = {}
        self._taken: set[str] = set()  # ids a new connection is taking over right now
        self._queued: dict[str, deque[Delivery]] = {}  # offline real sessions
        self._expiry: dict[str, asyncio.TimerHandle] = {}
        self._connections: set[Connection] = set()

    def attach(self) -> None:
        self.world.messaging.deliveries.add(self._delivered)
        self.world.sessions.closed.add(self._closed)

    def detach(self) -> None:
        self.world.messaging.deliveries.discard(self._delivered)
        self.world.sessions.closed.discard(self._closed)
        for timer in self._expiry.values():
            timer.cancel()
        self._expiry.clear()

    def live(self, clientid: str) -> bool:
        return clientid in self._live

    # -- connections -------------------------------------------------------------------------

    async def serve(self, connection: Connection) -> None:
        self._connections.add(connection)
        try:
            await connection.run()
        finally:
            self._connections.discard(connection)

    @contextmanager
    def taking_over(self, clientid: str) -> Iterator[None]:
        """While a new connection of `clientid` is admitted, an old one closes with 0x8E."""
        self._taken.add(clientid)
        try:
            yield
        finally:
            self._taken.discard(clientid)

    def register(self, connection: Connection, session_present: bool) -> None:
        clientid = connection.clientid
        assert clientid is not None
        self._live[clientid] = connection
        timer = self._expiry.pop(clientid, None)
        if timer is not None:
            timer.cancel()
        queued = self._queued.pop(clientid, deque())
        if session_present:
            for delivery in queued:
                connection.enqueue(delivery, counted=False)

    def unregister(self, connection: Connection, clientid: str) -> None:
        if self._live.get(clientid) is connection:
            del self._live[clientid]

    def went_offline(self, clientid: str) -> None:
        """After the world learnt of a closed connection: keep a persistent session's queue
        and time its expiry."""
        client = self.world.client(clientid)
        if client is None or client.connected or client.disconnected_at is None:
            return
        self._queued.setdefault(clientid, deque(maxlen=max(1, client.max_mqueue)))
        at = client.disconnected_at
        loop = asyncio.get_running_loop()
        previous = self._expiry.pop(clientid, None)
        if previous is not None:
            previous.cancel()
        self._expiry[clientid] = loop.call_later(client.session_expiry, self._expire, clientid, at)

    def _expire(self, clientid: str, disconnected_at: int) -> None:
        self._expiry.pop(clientid, None)
        self._queued.pop(clientid, None)
        self.world.channels.expire(clientid, disconnected_at)

    async def close_all(self) -> None:
        for connection in list(self._connections):
            connection.close_by_world(0x8B)  # server shutting down
        for connection in list(self._connections):
            await connection.wait_closed()

    # -- world hooks (inside a write: queue only) --------------------------------------------

    def _delivered(self, delivery: Delivery) -> None:
        if delivery.queued:
            queue = self._queued.get(delivery.clientid)
            if queue is not None:
                queue.append(delivery)
            return
        connection = self._live.get(delivery.clientid)
        if connection is not None:
            connection.enqueue(delivery)

    def _closed(self, clientid: str) -> None:
        connection = self._live.pop(clientid, None)
        if connection is None:
            return
        taken = clientid in self._taken
        connection.close_by_world(RC_SESSION_TAKEN_OVER if taken else RC_ADMINISTRATIVE)
        if not taken:
            asyncio.get_running_loop().call_soon(self.went_offline, clientid)
