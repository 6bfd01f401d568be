"""The EMQX 5 management API (`/api/v5`, dashboard listener 18083) served from the world."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping

from starlette.requests import Request
from starlette.responses import Response

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.registry import EMQX_V5

from ..config import MockConfig
from ..dialect import BodyPolicy, Handler, operations_of
from . import errors, integration
from .access import Access, Tokens
from .authn import AuthnApi
from .authz import AuthzApi
from .banned import BannedApi
from .clients import ClientsApi
from .cluster import ClusterApi
from .console import ConsoleApi
from .monitor import MonitorApi
from .publish import PublishApi
from .retainer import RetainerApi
from .routes import OpenRoutes, route_table
from .rules import RulesApi
from .subscriptions import SubscriptionsApi


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
        self.open_routes = OpenRoutes(self.table)
        # `/status` at the listener root is also 4.x's (same text): `EmqxV4` serves it.
        self.outside_routes: Mapping[str, Callable[[str], Response]] = {}
        self.tokens = Tokens()
        credentials = config.credentials_for(self.api)
        self.access = Access(world, self.tokens, enabled=credentials is not None)
        if credentials is not None:
            # emqx_mgmt_auth:try_init_bootstrap_file/0 at boot: the `--auth` pair is the
            # bootstrap file's one line `key:secret`.
            world.api_keys.bootstrap(*credentials, world.now // 1000)

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
        )
        return {**table, **integration.handlers(world)}

    def authenticate(self, method: str, path: str, authorization: bytes | None) -> Response | None:
        return self.access.refusal(path, authorization)

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
