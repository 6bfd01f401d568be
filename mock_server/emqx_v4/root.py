"""The API root `GET /api/v4/` (the route list) and `GET /status` outside the API.

The route list is the listener's route table: derived from our document (one entry per
operation, paths with the broker's `:name` placeholders), so it lists what the mock serves.
Like the broker's, it is not filtered by plugin activity.
`/status` answers without credentials, in plain text, for the node that takes the call.
"""

from __future__ import annotations

import re
from functools import cache

from starlette.responses import Response

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.openapi import document

from ..dialect import snake
from ..http import text_response
from . import errors

METHODS = ("get", "post", "put", "delete")


@cache
def route_table(name: str) -> tuple[dict[str, str], ...]:
    rows = []
    for path, item in document(name)["paths"].items():
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
    def __init__(self, world: World, document_name: str) -> None:
        self.world, self.document_name = world, document_name

    async def get_api_root(self) -> Response:
        return errors.ok(data=[dict(r) for r in route_table(self.document_name)])


def status_text(world: World) -> tuple[str, int]:
    """emqx_mgmt_http:handle_request/3 for the node taking the call (the first): `init`
    stays `started` while the `emqx` application is stopped, which is a 503."""
    taker = min(world.nodes, key=lambda n: n.name)
    if not taker.running:
        return f"Node {taker.name} is started\nemqx is not_running", 503
    return f"Node {taker.name} is started\nemqx is running", 200


def status(world: World, method: str) -> Response:
    """`/status` on the API listener: GET only (anything else is minirest's 400)."""
    if method != "GET":
        return text_response("Not found.", 400)
    return text_response(*status_text(world))
