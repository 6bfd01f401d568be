"""The request journal: every answer, outermost, so nothing the mock says escapes it.

`GET /__mock/requests` lists the last `MockConfig.journal_size` exchanges (method, path,
status, ms and what the mock did to them: a forced code, a fault, a drop); the admin API's
own requests are not journaled, so polling the journal does not fill it. `--log-requests`
prints one line per request (admin ones too) as it completes.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .exchange import DroppedConnection, Exchange, open_exchange
from .site import Site

__all__ = ["ADMIN_BASE", "Journal", "JournalStage"]

ADMIN_BASE = "/__mock"
log = logging.getLogger("mqtt_api_kit.requests")


class Journal:
    def __init__(self, size: int, log_requests: bool = False) -> None:
        self._entries: deque[dict[str, Any]] = deque(maxlen=max(1, size))
        self.size = size
        self.log_requests = log_requests
        self.total = 0

    def record(self, exchange: Exchange) -> None:
        ms = round(exchange.elapsed_ms(), 1)
        status = exchange.status
        if self.log_requests:
            shown = exchange.path + (f"?{exchange.query}" if exchange.query else "")
            notes = f"  [{', '.join(exchange.notes)}]" if exchange.notes else ""
            log.info("%s %s %s %.1f ms%s", exchange.method, shown, status or "-", ms, notes)
        if exchange.path == ADMIN_BASE or exchange.path.startswith(ADMIN_BASE + "/"):
            return
        self.total += 1
        self._entries.append(
            {
                "at": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + "Z",
                "method": exchange.method,
                "path": exchange.path,
                "query": exchange.query,
                "status": status,  # None: the connection was dropped without an answer
                "ms": ms,
                "api": exchange.api,
                "operation": exchange.operation,
                "notes": list(exchange.notes),
            }
        )

    def last(self, limit: int) -> list[dict[str, Any]]:
        """The newest `limit` entries, newest first."""
        return list(reversed(self._entries))[:limit]

    def clear(self) -> None:
        self._entries.clear()


class JournalStage:
    def __init__(self, app: ASGIApp, *, site: Site) -> None:
        self.app, self.journal = app, site.runtime.journal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        exchange = open_exchange(scope, send)

        async def noted(message: Message) -> None:
            if message["type"] == "http.response.start":
                exchange.answered(int(message["status"]))
            await send(message)

        try:
            await self.app(scope, receive, noted)
        except DroppedConnection:
            exchange.answered(None)
            raise
        finally:
            self.journal.record(exchange)
