"""Deliberately broken servers: the faithful mock behind a fault-injecting ASGI layer.

Each mutant breaks the contract in one way a real broker (or a bad upgrade) could. The
contract suite must fail against every one of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

Mutation = Callable[[Any], Any]


def _each_client(fn: Callable[[dict[str, Any]], None]) -> Mutation:
    def mutate(body: Any) -> Any:
        if isinstance(body, dict) and isinstance(body.get("data"), list):
            for item in body["data"]:
                if isinstance(item, dict) and "clientid" in item:
                    fn(item)
        return body

    return mutate


def _drop_clientid(item: dict[str, Any]) -> None:
    item.pop("clientid", None)


def _port_as_string(item: dict[str, Any]) -> None:
    item["port"] = str(item["port"])


MUTANTS: dict[str, Mutation] = {
    "client-drops-clientid": _each_client(_drop_clientid),
    "client-port-is-a-string": _each_client(_port_as_string),
}


class MutatingMiddleware:
    """Rewrite every JSON response body of `app` with `mutation`."""

    def __init__(self, app: ASGIApp, mutation: Mutation) -> None:
        self.app = app
        self.mutation = mutation

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(chunks)
            headers = dict(start.get("headers", []))
            if b"json" in headers.get(b"content-type", b""):
                body = orjson.dumps(self.mutation(orjson.loads(body)))
            headers[b"content-length"] = str(len(body)).encode()
            await send({**start, "headers": list(headers.items())})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, capture)
