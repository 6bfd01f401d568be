"""`/routes…`: one route per distinct topic filter per node (shared groups included), with
the simple paging of 4.4 (style 2: `page`, `limit`, `count`, no `hasnext`)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import World

from ..paths import path_value
from . import errors, serialize
from .query import Page


class RoutesApi:
    def __init__(self, world: World) -> None:
        self.world = world

    async def list_routes(self, **params: Any) -> Response:
        page = Page.from_params(params)
        sessions = self.world.sessions  # a window of the route table, not all of it
        rows, _ = page.cut(sessions.route_slice(*page.window()))
        meta = {"page": page.page, "limit": page.limit, "count": sessions.route_count()}
        return errors.ok(data=[serialize.route(t, n) for t, n in rows], meta=meta)

    async def get_route(self, topic: str) -> Response:
        wanted = path_value(topic)
        routes = [serialize.route(t, n) for t, n in self.world.sessions.routes_of(wanted)]
        return errors.ok(data=routes)
