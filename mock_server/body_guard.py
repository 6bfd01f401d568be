"""Let every dialect answer a request body that is not JSON in its own words, never a crash.

Connexion decodes a JSON body as UTF-8 before validating it, and bytes that are not UTF-8
make it crash (500). This layer, in front of a dialect's writes, reads the body first; when it
does not parse as JSON it marks the request and hands Connexion a stand-in that is certain to
be rejected, so the rejection still comes after the credentials check and the dialect's
`bad_request` sees `unparsable_body(request)` (HiveMQ: 400 `Invalid input`; EMQX 4.x: 400
`Bad Request`).
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

UNPARSABLE = "mqtt_api.unparsable_body"
_STAND_IN = b"["  # valid UTF-8, never valid JSON
_WRITES = frozenset({"POST", "PUT", "PATCH"})


def unparsable_body(request: Request) -> bool:
    return bool(request.scope.get(UNPARSABLE))


class JsonBodyGuard:
    def __init__(self, app: ASGIApp, base_path: str) -> None:
        self.app, self.base_path = app, base_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._applies(scope):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                await self.app(scope, _replay([message]), send)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        if body and not _parses(body):
            scope = dict(scope)
            scope[UNPARSABLE] = True
            body = _STAND_IN
        await self.app(scope, _replay([{"type": "http.request", "body": body}]), send)

    def _applies(self, scope: Scope) -> bool:
        if scope["type"] != "http" or scope["method"] not in _WRITES:
            return False
        path: str = scope["path"]
        if not path.startswith(self.base_path + "/"):
            return False
        ctype = dict(scope["headers"]).get(b"content-type", b"application/json")
        return b"json" in ctype.lower()


def _parses(body: bytes) -> bool:
    try:
        json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return False
    return True


def _replay(messages: list[Message]) -> Receive:
    pending = list(messages)

    async def receive() -> Message:
        if pending:
            return pending.pop(0)
        return {"type": "http.disconnect"}

    return receive
