"""Keep a copy of each request body where a dialect's bad-request answer can read it.

Connexion reads and validates the body before any handler; when it rejects the request the
body is consumed, yet some brokers answer a bad body by its content (EMQX: 108/115/116 with
HTTP 200). This layer records the bytes as they stream past, without buffering ahead.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_KEY = "mqtt_api.body"


def raw_body(request: Request) -> bytes | None:
    """The bytes of the request body read so far (all of it once validation has run)."""
    chunks = request.scope.get(_KEY)
    return None if chunks is None else b"".join(chunks)


class BodyTapMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        scope = dict(scope)
        scope[_KEY] = chunks  # copies of the scope made further in share this list

        async def tapped() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                chunks.append(message.get("body", b""))
            return message

        await self.app(scope, tapped, send)
