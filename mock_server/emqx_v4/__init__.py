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
from ..paths import minirest_tokens_path
from . import errors, gating, rejections
from .alarms import AlarmsApi
from .auth_db import AuthDbApi
from .banned import BannedApi
from .clients import ClientsApi
from .cloud_auth import CloudAuthApi
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


# First path segments routed by the dashboard listener (18083) alone: emqx_dashboard_api.erl's
# `/auth`, `/users`, `/change_pwd` (emqx_mgmt_http.erl leaves the emqx_dashboard app out of
# 8081, ?EXCEPT_PLUGIN) and the `/apps` routes (?EXCEPT on 8081 outside test builds).
_DASHBOARD_ONLY = frozenset({"auth", "users", "change_pwd", "apps"})


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
        self.world, self.checks, self.auth = world, config.auth is not None, config.auth
        self.boot()
        # Routes owned by a plugin answer 404 while it is inactive (`x-emqx.plugin`).
        self.owners = gating.plugins_of(self.api.document)
        self.outside_routes: Mapping[str, Callable[[str], Response]] = {
            "/status": lambda method: status(world, method)
        }

    def boot(self) -> None:
        if self.auth is not None:  # the default app (and dashboard user) of `--auth`
            self.world.console.adopt_defaults(*self.auth)

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

    def admits(self, authorization: bytes | None, path: str) -> bool:
        """An API application (the 8081 listener's check, emqx_mgmt_http:authorize_appid/3 →
        emqx_mgmt_auth:is_authorized/2) or a dashboard user (the 18083 listener's,
        emqx_dashboard:is_authorized/3 → emqx_dashboard_admin:check/2), as the world holds
        them now. The mock serves both listeners' routes on one port, so a route both serve
        admits either; a route only the dashboard listener serves (`_DASHBOARD_ONLY`) admits
        only what that listener would."""
        if not self.checks:
            return True
        credentials = basic_credentials(authorization)
        if credentials is None:
            return False
        login, secret = credentials
        console = self.world.console
        if console.check_user(login, secret) is None:
            return True
        dashboard_only = path.split("/", 2)[1] in _DASHBOARD_ONLY if path else False
        return not dashboard_only and console.admits_app(login, secret, self.world.now // 1000)

    def unauthorized(self) -> Response:
        return errors.unauthorized()

    def status_answer(self, status: int) -> Response:
        return errors.status(status)

    def route_path(self, below: str) -> str:
        # Both listeners hand minirest the path below their prefix; the management
        # listener's prefix is `/api/v4` (emqx_mgmt_http:http_handlers/0), so `/api/v4`
        # itself is the route list there (the dashboard's `/api/v4/` answers it 400).
        return minirest_tokens_path(below)

    def route_not_found(self, request: Request) -> Response:
        return errors.route_not_found()

    def route_off(self, operation_id: str) -> Response | None:
        return gating.answer(operation_id, self.owners, self.world)

    def body_too_large(self) -> Response:
        # minirest reads one chunk (cowboy's 8 MB default) and decodes it as JSON: a longer
        # body is cut short, does not parse, and is its 400 `Bad Request`.
        return errors.body_not_json()

    def bad_request(self, request: Request, detail: str) -> Response:
        return rejections.answer(request) or errors.bad_request(request)
