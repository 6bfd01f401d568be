"""One request and its answer, as the stages around the app see it.

The outermost stage (the journal) opens an `Exchange` per HTTP request and keeps it in the
scope; later stages note on it what they did (the API and operation, a forced answer, a fault)
and the status sent, so the journal and the request log can say what happened. Stages may
copy the scope (the body stage does), so the notes go on this one shared object, never on
scope keys of their own.

`abort` closes the client's connection without an answer (`--drop-rate`): ASGI has no such
message, so it reaches the server's transport through the server's `send` (uvicorn's
request cycle), the only way to close a socket without a response.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from starlette.types import Scope, Send

__all__ = ["DroppedConnection", "Exchange", "exchange_of", "open_exchange"]

_KEY = "mqtt_api.exchange"


class DroppedConnection(Exception):
    """Raised where no transport can be closed (an in-process test client)."""


@dataclass(slots=True)
class Exchange:
    method: str
    path: str
    query: str
    started: float = field(default_factory=time.perf_counter)
    status: int | None = None
    api: str | None = None
    operation: str | None = None
    notes: list[str] = field(default_factory=list)
    control: object | None = None  # control.Control, when the request asked for one
    abort: Callable[[], Awaitable[None]] | None = None

    def answered(self, status: int | None) -> None:
        self.status = status

    def routed(self, api: str, operation: str) -> None:
        self.api, self.operation = api, operation

    def asked(self, control: object) -> None:
        self.control = control

    def elapsed_ms(self) -> float:
        return (time.perf_counter() - self.started) * 1000


def _aborter(send: Send) -> Callable[[], Awaitable[None]]:
    transport = getattr(getattr(send, "__self__", None), "transport", None)

    async def abort() -> None:
        if transport is None:
            raise DroppedConnection("no server transport to close")
        transport.abort()
        # Let the server see the connection lost before the app returns: it then sends no 500.
        for _ in range(2):
            await asyncio.sleep(0)

    return abort


def open_exchange(scope: Scope, send: Send) -> Exchange:
    query = scope.get("query_string", b"").decode("latin-1")
    exchange = Exchange(scope["method"], scope["path"], query, abort=_aborter(send))
    scope[_KEY] = exchange
    return exchange


def exchange_of(scope: Scope) -> Exchange | None:
    found = scope.get(_KEY)
    return found if isinstance(found, Exchange) else None
