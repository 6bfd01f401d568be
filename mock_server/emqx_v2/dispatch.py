"""The 2.3 dispatcher's reading of request bodies, in front of the OpenAPI layer.

`emqttd_http` decodes every non-GET body as JSON whatever its Content-Type (`curl -d` sends a
form type) and answers a body that is not JSON with `{"code":109,"message":"Body not json"}`.
Connexion would refuse a form content type and crash on bytes that are not UTF-8; this layer
answers 109 itself and presents a JSON body as `application/json`, so what reaches the
document's validation is what 2.3 would have parsed.
"""

from __future__ import annotations

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import errors

BASE = "/api/v2/"


class BodyDispatchMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        if not scope["path"].startswith(BASE):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if body.strip():
            try:
                orjson.loads(body)
            except orjson.JSONDecodeError:
                await errors.error(errors.BODY_NOT_JSON, "Body not json")(scope, receive, send)
                return
            headers = [(k, v) for k, v in scope["headers"] if k != b"content-type"]
            scope = dict(scope, headers=[*headers, (b"content-type", b"application/json")])
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)
