"""The living cluster's stage: before anything answers, the world catches up with its time.

Reads never write (`fixtures/ledger.py`), so the world cannot live as a side effect of being
read; instead every request first asks the world to live up to the time the time source says
it is (`Simulation.advance_to`, one write, deterministic in the seed and the elapsed world
time). Frozen worlds stand still unless `POST /__mock/clock` advances them.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from .site import Site

__all__ = ["LiveClock"]


class LiveClock:
    def __init__(self, app: ASGIApp, *, site: Site) -> None:
        self.app, self.runtime = app, site.runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.runtime.live()
        await self.app(scope, receive, send)
