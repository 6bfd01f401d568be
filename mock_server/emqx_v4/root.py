"""The API root `GET /api/v4/` (the route list) and `GET /status` outside the API.

The route list is the listener's route table: derived from our document (one entry per
operation, paths with the broker's `:name` placeholders), so it lists what the mock serves.
Like the broker's, it is not filtered by plugin activity.
`/status` answers without credentials, in plain text, for the node that takes the call.
`JsonBodiesMiddleware`: the broker parses any request body as JSON whatever its declared
content type (curl -d sends a form type), so the mock declares it JSON before routing.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from fixtures import World

from ..dialect import snake
from ..http import text_response
from . import errors

METHODS = ("get", "post", "put", "delete")


@cache
def route_table(spec_file: Path) -> tuple[dict[str, str], ...]:
    doc = yaml.safe_load(spec_file.read_text())
    rows = []
    for path, item in doc["paths"].items():
        for method in METHODS:
            op = item.get(method)
            if op is None or path == "/":
                continue
            rows.append(
                {
                    "name": snake(op["operationId"]),
                    "method": method.upper(),
                    "path": re.sub(r"\{([^}]+)\}", r":\1", path),
                    "descr": op.get("summary", ""),
                }
            )
    return tuple(rows)


class RootApi:
    def __init__(self, world: World, spec_file: Path) -> None:
        self.world, self.spec_file = world, spec_file

    async def get_api_root(self) -> Response:
        return errors.ok(data=[dict(r) for r in route_table(self.spec_file)])


def status_text(world: World) -> tuple[str, int]:
    nodes = world.running_nodes()
    if not nodes:
        return "Node emqx@127.0.0.1 is started\nemqx is not_running", 503
    return f"Node {nodes[0].name} is started\nemqx is running", 200


class StatusMiddleware:
    """Serves `/status` in front of everything else (no credentials, as on port 8081)."""

    def __init__(self, app: ASGIApp, world: World) -> None:
        self.app, self.world = app, world

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].rstrip("/") == "/status":
            if scope["method"] != "GET":
                response = text_response("Not found.", 400)
            else:
                response = text_response(*status_text(self.world))
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


class JsonBodiesMiddleware:
    """Declares every request body under `prefix` JSON, as the broker reads it (§3.3)."""

    def __init__(self, app: ASGIApp, prefix: str) -> None:
        self.app, self.prefix = app, prefix.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("POST", "PUT", "DELETE"):
            if scope["path"].encode().startswith(self.prefix):
                headers = [(k, v) for k, v in scope["headers"] if k != b"content-type"]
                if _has_body(headers):  # an empty body means "no parameters": no type at all
                    headers.append((b"content-type", b"application/json"))
                scope = dict(scope, headers=headers)
        await self.app(scope, receive, send)


def _has_body(headers: list[tuple[bytes, bytes]]) -> bool:
    for name, value in headers:
        if name == b"content-length":
            return value.strip() not in (b"", b"0")
        if name == b"transfer-encoding":
            return True
    return False
