"""Latency: `--latency MIN-MAX` (ms, uniform), per operation from `--latency-config`, plus a
request's own `Prefer: delay=MS` / `__delay`.

The wait happens just before the answer's first byte, when the operation is known (so a
per-operation latency applies) and whatever the answer is (a 401, a fault): the handler has
already run, which a client cannot tell from a slow handler. Only requests to the broker
APIs wait, never the mock's own pages or its admin API. Draws come from the seed
(`Runtime.draw`), so the same requests in the same order wait the same.
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .auth import MOCK_EXTRAS
from .control import control_of
from .exchange import exchange_of
from .site import Site

__all__ = ["Latency"]


class Latency:
    def __init__(self, app: ASGIApp, *, site: Site) -> None:
        self.app, self.site = app, site
        config = site.config
        self.default = config.latency
        self.by_operation = dict(config.latency_by_operation)

    def _range(self, api: str | None, operation: str | None) -> tuple[int, int] | None:
        if operation is not None:
            for key in (f"{api}:{operation}", operation):
                if key in self.by_operation:
                    return self.by_operation[key]
        return self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        dialect = self.site.dialect_of(scope) if scope["type"] == "http" else None
        exchange = exchange_of(scope) if dialect is not None else None
        if dialect is None or exchange is None:
            await self.app(scope, receive, send)
            return
        if scope["path"][len(dialect.api.base_path) :].startswith(MOCK_EXTRAS):
            await self.app(scope, receive, send)
            return

        async def later(message: Message) -> None:
            if message["type"] == "http.response.start":
                control = control_of(scope)
                wait = control.delay if control is not None else 0
                span = self._range(exchange.api, exchange.operation)
                if span is not None:
                    wait += self.site.runtime.draw_latency(span)
                if wait:
                    exchange.notes.append(f"latency={wait}ms")
                    await asyncio.sleep(wait / 1000)
            await send(message)

        await self.app(scope, receive, later)
