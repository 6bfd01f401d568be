"""Deliberately broken HiveMQ APIs: the faithful mock behind a fault-injecting ASGI layer.

Unlike `mutants.py` (body rewrites), paging faults need the request too: a broker that
ignores the cursor, or loses a client on every continuation page, answers each page with a
body that is well-formed on its own. Each mutant here breaks the contract in one way; the
contract suite must fail against every one of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LIST_PATH = "/api/v1/mqtt/clients"
# (scope of the request, parsed JSON body) → the body to send instead
BodyMutation = Callable[[Scope, Any], Any]


def _query(scope: Scope) -> dict[str, str]:
    return dict(parse_qsl(scope.get("query_string", b"").decode()))


def _is_list(scope: Scope, body: Any) -> bool:
    return scope["path"] == LIST_PATH and isinstance(body, dict) and "items" in body


def _drop_items(scope: Scope, body: Any) -> Any:
    if _is_list(scope, body):
        del body["items"]
    return body


def _lose_first_client_of_later_pages(scope: Scope, body: Any) -> Any:
    if _is_list(scope, body) and "cursor" in _query(scope) and body["items"]:
        body["items"].pop(0)
    return body


def _last_page_links_back_to_the_first(scope: Scope, body: Any) -> Any:
    if _is_list(scope, body) and "_links" not in body and "cursor" in _query(scope):
        limit = _query(scope).get("limit", "500")
        # Looks like a real continuation (a cursor is present) but restarts the list.
        body["_links"] = {"next": f"{LIST_PATH}?{urlencode({'cursor': 'restart', 'limit': limit})}"}
    return body


def _errors_as_message(scope: Scope, body: Any) -> Any:
    if isinstance(body, dict) and "errors" in body:
        return {"message": body["errors"][0]["detail"]}
    return body


class BodyMutant:
    """Rewrite JSON answers of `app` with a mutation that also sees the request."""

    def __init__(self, app: ASGIApp, mutation: BodyMutation) -> None:
        self.app, self.mutation = app, mutation

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
            if body and b"json" in headers.get(b"content-type", b""):
                body = orjson.dumps(self.mutation(scope, orjson.loads(body)))
            headers[b"content-length"] = str(len(body)).encode()
            await send({**start, "headers": list(headers.items())})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, capture)


class CursorIgnored:
    """A broker that drops the cursor: every `_links.next` serves the first page again."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == LIST_PATH:
            query = [(k, v) for k, v in parse_qsl(scope["query_string"].decode()) if k != "cursor"]
            scope = dict(scope, query_string=urlencode(query).encode())
        await self.app(scope, receive, send)


def _body(mutation: BodyMutation) -> Callable[[ASGIApp], ASGIApp]:
    return lambda app: BodyMutant(app, mutation)


HIVEMQ_MUTANTS: dict[str, Callable[[ASGIApp], ASGIApp]] = {
    "cursor-ignored": CursorIgnored,
    "later-pages-lose-a-client": _body(_lose_first_client_of_later_pages),
    "last-page-links-back": _body(_last_page_links_back_to_the_first),
    "list-drops-items": _body(_drop_items),
    "errors-as-message": _body(_errors_as_message),
}
