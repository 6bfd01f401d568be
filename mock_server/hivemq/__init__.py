"""The HiveMQ 4.x REST API (`/api/v1`) served from the world: MQTT clients and the Data Hub
schema registry. Open by default, as HiveMQ ships."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

from fixtures import World

from ..body_guard import JsonBodyGuard
from ..dialect import SPEC_DIR, operations_of
from . import errors
from .clients import MqttClientsApi
from .cursor import DEFAULT_TTL, Cursors
from .datahub import DataHubSchemasApi


class HiveMq:
    name = "hivemq"
    base_path = "/api/v1"
    spec_file = SPEC_DIR / "hivemq.yaml"

    def __init__(
        self, cursor_ttl: float = DEFAULT_TTL, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.cursor_ttl = cursor_ttl
        self.clock = clock

    def handlers(self, world: World) -> dict[str, Callable[..., Any]]:
        cursors = Cursors(world.seed, self.cursor_ttl, self.clock)
        return operations_of(MqttClientsApi(world, cursors), DataHubSchemasApi(world, cursors))

    def wrap(self, app: ASGIApp, world: World) -> ASGIApp:
        """Outermost layer: a write body that is not JSON is HiveMQ's 400, never a crash."""
        return JsonBodyGuard(app, self.base_path)

    def unauthorized(self) -> Response:
        return errors.unauthorized()

    def route_not_found(self) -> Response:
        return errors.route_not_found()

    def bad_request(self, request: Request, detail: str) -> Response:
        return errors.bad_request(request, detail)
