"""The EMQX 4.x management API (`/api/v4`) served from the world."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping

from starlette.requests import Request
from starlette.responses import Response

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.registry import EMQX_V4

from ..auth import basic_credentials
from ..config import MockConfig
from ..dialect import BodyPolicy, Handler, operations_of
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
from .root import RootApi, status
from .routes import RoutesApi
from .rules import RulesApi
from .sessions import SessionsApi
from .subscriptions import SubscriptionsApi


def _parses(body: bytes) -> bool:
    try:
        json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return False
    return True


class EmqxV4:
    api = EMQX_V4
    # The dashboard's login check and the Prometheus snapshot need no credentials (§2.4).
    open_routes = frozenset({("POST", "/auth"), ("GET", "/emqx_prometheus")})
    # minirest reads every body as JSON whatever its content type; one that does not parse is
    # its 400 `Bad Request` (reference §3.3).
    body_policy = BodyPolicy(
        frozenset({"POST", "PUT", "PATCH", "DELETE"}), True, _parses, errors.body_not_json
    )

    def __init__(self, world: World, config: MockConfig) -> None:
        self.world, self.credentials = world, config.credentials_for(self.api)
        # Routes owned by a plugin answer 404 while it is inactive (`x-emqx.plugin`).
        self.owners = gating.plugins_of(self.api.document)
        self.outside_routes: Mapping[str, Callable[[str], Response]] = {
            "/status": lambda method: status(world, method)
        }

    def handlers(self) -> dict[str, Handler]:
        world = self.world
        return operations_of(
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
            RootApi(world, self.api.document),
        )

    def admits(self, authorization: bytes | None) -> bool:
        return self.credentials is None or basic_credentials(authorization) == self.credentials

    def unauthorized(self) -> Response:
        return errors.unauthorized()

    def route_not_found(self) -> Response:
        return errors.route_not_found()

    def route_off(self, operation_id: str) -> Response | None:
        return gating.answer(operation_id, self.owners, self.world)

    def body_too_large(self) -> Response:
        # minirest reads one chunk (cowboy's 8 MB default) and decodes it as JSON: a longer
        # body is cut short, does not parse, and is its 400 `Bad Request`.
        return errors.body_not_json()

    def bad_request(self, request: Request, detail: str) -> Response:
        return rejections.answer(request) or errors.bad_request(request)
