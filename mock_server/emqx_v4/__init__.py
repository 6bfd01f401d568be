"""The EMQX 4.x management API (`/api/v4`) served from the world."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

from fixtures import World

from ..body_guard import JsonBodyGuard, unparsable_body
from ..dialect import SPEC_DIR, operations_of
from . import errors, gating, rejections
from .alarms import AlarmsApi
from .auth_db import AuthDbApi, CloudAuthApi
from .banned import BannedApi
from .clients import ClientsApi
from .cluster import ClusterApi
from .dashboard import DashboardApi
from .data import DataApi
from .diagnostics import DiagnosticsApi
from .extensions import ExtensionsApi
from .gateways import GatewaysApi
from .listeners import ListenersApi
from .monitoring import MonitoringApi
from .observability import ObservabilityApi
from .pubsub import PubSubApi
from .root import JsonBodiesMiddleware, RootApi, StatusMiddleware
from .routes import RoutesApi
from .rules import RulesApi
from .sessions import SessionsApi
from .subscriptions import SubscriptionsApi


class EmqxV4:
    name = "emqx-v4"
    base_path = "/api/v4"
    spec_file = SPEC_DIR / "emqx-v4.yaml"
    # The dashboard's login check and the Prometheus snapshot need no credentials (§2.4).
    open_routes = frozenset({("POST", "/api/v4/auth"), ("GET", "/api/v4/emqx_prometheus")})

    def handlers(self, world: World) -> dict[str, Callable[..., Any]]:
        # Routes owned by a plugin answer 404 while it is inactive (`x-emqx-plugin`).
        self._world, self._owners = world, gating.plugins_of(self.spec_file)
        table = operations_of(
            ClientsApi(world),
            *(
                api(world)
                for api in (
                    AlarmsApi,
                    BannedApi,
                    ClusterApi,
                    DataApi,
                    ExtensionsApi,
                    ListenersApi,
                    MonitoringApi,
                    PubSubApi,
                    RoutesApi,
                    SessionsApi,
                    SubscriptionsApi,
                    # plugin-owned and dashboard-listener routes
                    AuthDbApi,
                    CloudAuthApi,
                    DashboardApi,
                    DiagnosticsApi,
                    GatewaysApi,
                    ObservabilityApi,
                    RulesApi,
                )
            ),
            RootApi(world, self.spec_file),
        )
        return gating.gate(table, self._owners, world)

    def wrap(self, app: ASGIApp, world: World) -> ASGIApp:
        """Routes the broker serves outside its API base path: `GET /status`."""
        # Outermost first: /status; every body is JSON to the broker whatever its content type;
        # a body that does not parse is the framework's 400, not a crash.
        guarded = JsonBodyGuard(app, self.base_path)
        return StatusMiddleware(JsonBodiesMiddleware(guarded, self.base_path + "/"), world)

    def unauthorized(self) -> Response:
        return errors.unauthorized()

    def route_not_found(self) -> Response:
        return errors.route_not_found()

    def bad_request(self, request: Request, detail: str) -> Response:
        if gating.blocks(request, self._owners, self._world):  # routing decides first
            return errors.route_not_found()
        if unparsable_body(request):
            return errors.body_not_json()
        return rejections.answer(request) or errors.bad_request(request)
