"""CORS, so a page on another origin (a front end's dev server) can call every API directly.

Browsers send a preflight (`OPTIONS` with `Access-Control-Request-Method`) before a request
with credentials or a JSON body, and they send it *without* credentials: it is answered here,
before authentication, with 204 and what may follow — the origin itself (never `*`, which
browsers refuse together with credentials), `Access-Control-Allow-Credentials: true`, the
methods and the headers asked for. Every other answer to an allowed origin, 401s and faults
included, carries the origin and credentials headers, so the page can read even its errors.

No broker does this on its management port (EMQX 4.4 answers a preflight 401, HiveMQ 404):
it is the mock's own convenience, on by default, off with `--no-cors`, limited to given
origins with `--cors-origin`. Requests from other origins are passed on untouched.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .auth import header
from .exchange import exchange_of
from .site import Site

__all__ = ["Cors"]

METHODS = b"GET, POST, PUT, PATCH, DELETE, OPTIONS"
DEFAULT_HEADERS = b"Authorization, Content-Type, Prefer"
EXPOSED = b"Content-Disposition, Content-Length, WWW-Authenticate"
MAX_AGE = b"600"


class Cors:
    def __init__(self, app: ASGIApp, *, site: Site) -> None:
        self.app = app
        self.enabled = site.config.cors
        self.origins = {o.rstrip("/").encode() for o in site.config.cors_origins}

    def _allowed(self, origin: bytes | None) -> bool:
        return origin is not None and (not self.origins or origin.rstrip(b"/") in self.origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        origin = header(scope, b"origin") if scope["type"] == "http" else None
        if not self.enabled or not self._allowed(origin):
            await self.app(scope, receive, send)
            return
        assert origin is not None
        common = [
            (b"access-control-allow-origin", origin),
            (b"access-control-allow-credentials", b"true"),
            (b"vary", b"Origin"),
        ]
        asked = header(scope, b"access-control-request-method")
        if scope["method"] == "OPTIONS" and asked is not None:
            exchange = exchange_of(scope)
            if exchange is not None:
                exchange.notes.append("cors-preflight")
            wanted = header(scope, b"access-control-request-headers") or DEFAULT_HEADERS
            headers = [
                *common,
                (b"access-control-allow-methods", METHODS),
                (b"access-control-allow-headers", wanted),
                (b"access-control-max-age", MAX_AGE),
                (b"content-length", b"0"),
            ]
            await send({"type": "http.response.start", "status": 204, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return

        async def with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if not k.lower().startswith(b"access-control-") and k.lower() != b"vary"
                ]
                exposed = [(b"access-control-expose-headers", EXPOSED)]
                message = {**message, "headers": [*kept, *common, *exposed]}
            await send(message)

        await self.app(scope, receive, with_cors)
