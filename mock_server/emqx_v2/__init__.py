"""The EMQ 2.3 REST API (`/api/v2`) served from the world."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

from fixtures import World

from ..dialect import SPEC_DIR, operations_of
from . import errors
from .clients import ClientsApi, RoutesApi, SessionsApi, SubscriptionsApi
from .dispatch import BodyDispatchMiddleware
from .monitoring import MonitoringApi
from .mqtt import MqttApi
from .plugins import ConfigsApi, PluginsApi
from .users import UsersApi


class EmqxV2:
    name = "emqx-v2"
    base_path = "/api/v2"
    spec_file = SPEC_DIR / "emqx-v2.yaml"
    # 2.3 checks credentials on everything but `POST /auth` (which checks them itself).
    open_routes = frozenset({("POST", "/api/v2/auth")})

    def handlers(self, world: World) -> dict[str, Callable[..., Any]]:
        return operations_of(
            ClientsApi(world),
            SessionsApi(world),
            SubscriptionsApi(world),
            RoutesApi(world),
            MonitoringApi(world),
            MqttApi(world),
            PluginsApi(world),
            ConfigsApi(world),
            UsersApi(world),
        )

    def unauthorized(self) -> Response:
        return errors.unauthorized()

    def route_not_found(self) -> Response:
        return errors.crashed()

    def bad_request(self, request: Request, detail: str) -> Response:
        return errors.bad_request(request, detail)

    def wrap(self, app: ASGIApp, world: World) -> ASGIApp:
        return BodyDispatchMiddleware(app)
