"""Faults: `--error-rate R` answers a share of requests with the API's own 5xx
(`Dialect.status_answer(500)`: EMQX 4.x minirest's `Internal Error`, 2.3's bare 500,
HiveMQ's `errors[]`), `--drop-rate R` closes the connection without any answer.

Decided before authentication and routing, as an overloaded or failing broker fails whatever
the request. Only requests to the broker APIs, never the mock's own pages, its admin API or a
CORS preflight (answered earlier). One draw per request from the seed (`Runtime.draw`).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from .auth import MOCK_EXTRAS
from .exchange import exchange_of
from .site import Site

__all__ = ["Faults"]


class Faults:
    def __init__(self, app: ASGIApp, *, site: Site) -> None:
        self.app, self.site = app, site
        self.drop, self.error = site.config.drop_rate, site.config.error_rate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        dialect = self.site.dialect_of(scope) if scope["type"] == "http" else None
        exchange = exchange_of(scope) if dialect is not None else None
        if dialect is None or exchange is None or not (self.drop or self.error):
            await self.app(scope, receive, send)
            return
        if scope["path"][len(dialect.api.base_path) :].startswith(MOCK_EXTRAS):
            await self.app(scope, receive, send)
            return
        roll = self.site.runtime.draw()
        if roll < self.drop:
            exchange.notes.append("dropped")
            if exchange.abort is not None:
                await exchange.abort()
            return
        if roll < self.drop + self.error:
            exchange.notes.append("error-rate")
            await dialect.status_answer(500)(scope, receive, send)
            return
        await self.app(scope, receive, send)
