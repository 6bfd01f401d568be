"""The EMQX 5 management API (`/api/v5`, dashboard listener 18083) served from the world."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from contextvars import ContextVar

from starlette.requests import Request
from starlette.responses import Response

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.registry import EMQX_V5

from ..config import MockConfig
from ..dialect import BodyPolicy, Handler, operations_of
from ..paths import cowboy_router_path
from . import errors, integration
from .access import Access, Tokens
from .alarms import AlarmsApi
from .authn import AuthnApi
from .authz import AuthzApi
from .auto_subscribe import AutoSubscribeApi
from .banned import BannedApi
from .bridges import BridgesApi
from .clients import ClientsApi
from .cluster import ClusterApi
from .cluster_membership import ClusterMembershipApi
from .coap import CoapApi
from .configs import ConfigsApi
from .console import ConsoleApi
from .data_backup import DataBackupApi
from .delayed import DelayedApi
from .error_codes import ErrorCodesApi
from .exhooks import ExhooksApi
from .gateway_authn import GatewayAuthnApi
from .gateway_clients import GatewayClientsApi
from .gateways import GatewaysApi
from .listener_writes import ListenerWritesApi
from .listeners import ListenersApi
from .monitor import MonitorApi
from .plugins import PluginsApi
from .prometheus import SCRAPES, PrometheusApi
from .publish import PublishApi
from .relup import RelupApi
from .retainer import RetainerApi
from .routes import OpenRoutes, route_table
from .rules import RulesApi
from .schemas import SchemasApi
from .slow_subs import SlowSubsApi
from .subscriptions import SubscriptionsApi
from .telemetry import TelemetryApi
from .topic_metrics import TopicMetricsApi
from .topic_rewrite import TopicRewriteApi
from .trace import TraceApi

# The refusal of this task's last failed credential check (`admits` → `unauthorized`): a
# context variable, so concurrent requests never see each other's.
_REFUSAL: ContextVar[Response | None] = ContextVar("emqx_v5_refusal", default=None)


def _parses(body: bytes) -> bool:
    try:
        json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return False
    return True


class EmqxV5:
    api = EMQX_V5
    # minirest_body: only an `application/json` body is parsed (a failure is 400
    # "Invalid json message received"); any other type stays bytes and an operation that
    # reads JSON answers 415 (emqx_dashboard_swagger:check_request_body/5).
    body_policy = BodyPolicy(
        frozenset({"POST", "PUT", "PATCH", "DELETE"}), False, _parses, errors.body_not_json
    )

    def __init__(self, world: World, config: MockConfig) -> None:
        self.world = world
        self.table = route_table(self.api.document)
        self.open_routes = OpenRoutes(self.table, self._scrape_closed)
        # `/status` at the listener root is also 4.x's (same text): `EmqxV4` serves it.
        self.outside_routes: Mapping[str, Callable[[str], Response]] = {}
        self.tokens = Tokens()
        self.credentials = config.credentials_for(self.api)
        self.access = Access(world, self.tokens, enabled=self.credentials is not None)
        self.boot()

    def boot(self) -> None:
        if self.credentials is not None:
            # emqx_mgmt_auth:try_init_bootstrap_file/0 at boot: the `--auth` pair is the
            # bootstrap file's one line `key:secret`.
            self.world.api_keys.adopt_bootstrap(*self.credentials, self.world.now // 1000)

    def _scrape_closed(self, path: str) -> bool:
        settings = self.world.settings.get("prometheus")
        basic = isinstance(settings, dict) and settings.get("enable_basic_auth") is True
        return basic and path in SCRAPES

    def handlers(self) -> dict[str, Handler]:
        world = self.world
        table = operations_of(
            ClientsApi(world),
            SubscriptionsApi(world),
            ClusterApi(world),
            MonitorApi(world),
            PublishApi(world),
            BannedApi(world),
            RetainerApi(world),
            ConsoleApi(world, self.tokens),
            AuthnApi(world),
            AuthzApi(world),
            RulesApi(world),
            PrometheusApi(world),
            BridgesApi(world),
            AlarmsApi(world),
            ListenersApi(world),
            GatewaysApi(world),
            GatewayAuthnApi(world),
            GatewayClientsApi(world),
            ExhooksApi(world),
            DelayedApi(world),
            TopicRewriteApi(world),
            TopicMetricsApi(world),
            AutoSubscribeApi(world),
            SlowSubsApi(world),
            TelemetryApi(world),
            TraceApi(world),
            ErrorCodesApi(),
            DataBackupApi(world),
            ListenerWritesApi(world),
            ConfigsApi(world),
            ClusterMembershipApi(world),
            SchemasApi(),
            PluginsApi(world),
            RelupApi(world),
            CoapApi(world),
        )
        return {**table, **integration.handlers(world)}

    def admits(self, authorization: bytes | None, path: str) -> bool:
        """emqx_dashboard:authorize/1: an API key or a dashboard token (`access.py`). The
        refusal depends on what failed (a bad key, an expired token, an API key on `/users`),
        so it is kept for `unauthorized`, which the pipeline asks next in the same task."""
        refusal = self.access.refusal(path, authorization)
        _REFUSAL.set(refusal)
        return refusal is None

    def unauthorized(self) -> Response:
        return _REFUSAL.get() or errors.unauthorized(
            "AUTHORIZATION_HEADER_ERROR", "Support authorization: basic/bearer "
        )

    def status_answer(self, status: int) -> Response:
        return errors.status(status)

    def route_path(self, below: str) -> str:
        return cowboy_router_path(below)

    def route_not_found(self, request: Request) -> Response:
        below = request.url.path[len(self.api.base_path) :]
        methods = self.table.methods(below)
        if methods is not None:
            return errors.method_not_allowed(methods)
        return errors.route_not_found(request.headers.get("accept"))

    def route_off(self, operation_id: str) -> Response | None:
        return None

    def body_too_large(self) -> Response:
        return errors.body_too_large()

    def bad_request(self, request: Request, detail: str) -> Response:
        return errors.schema_error(request, detail)
