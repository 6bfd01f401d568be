"""The EMQ 2.3 REST API (`/api/v2`) served from the world."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import orjson
from starlette.requests import Request
from starlette.responses import Response

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.registry import EMQX_V2

from ..auth import basic_credentials
from ..config import MockConfig
from ..dialect import BodyPolicy, Handler, operations_of
from ..http import text_response
from . import errors
from .clients import ClientsApi, RoutesApi, SessionsApi, SubscriptionsApi
from .monitoring import MonitoringApi
from .mqtt import MqttApi
from .plugins import ConfigsApi, PluginsApi
from .users import UsersApi


def _parses(body: bytes) -> bool:
    try:
        orjson.loads(body)
    except orjson.JSONDecodeError:
        return False
    return True


class EmqxV2:
    api = EMQX_V2
    # 2.3 checks credentials on everything but `POST /auth` (which checks them itself).
    open_routes = frozenset({("POST", "/auth")})
    outside_routes: Mapping[str, Callable[[str], Response]] = {}
    # `emqttd_http:params/1` decodes every non-GET body as JSON whatever its content type,
    # after the route matched (an unknown route is 404 first): 109 `Body not json`.
    body_policy = BodyPolicy(
        frozenset({"POST", "PUT", "PATCH", "DELETE"}),
        True,
        _parses,
        lambda: errors.error(errors.BODY_NOT_JSON, "Body not json"),
    )

    def __init__(self, world: World, config: MockConfig) -> None:
        self.world, self.checks, self.auth = world, config.auth is not None, config.auth
        self.boot()

    def boot(self) -> None:
        if self.auth is not None:  # 2.3's default dashboard user is `--auth`'s
            self.world.console.adopt_defaults(*self.auth)

    def handlers(self) -> dict[str, Handler]:
        world = self.world
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

    def admits(self, authorization: bytes | None, path: str) -> bool:
        """A dashboard user whose password `emqttd_mgmt:check_user/2` accepts, as the world
        holds them now (src/emqttd_http.erl `authorized/1`; 2.3 has no API applications)."""
        if not self.checks:
            return True
        credentials = basic_credentials(authorization)
        if credentials is None:
            return False
        user = self.world.console.users.get(credentials[0])
        return user is not None and user.checks(credentials[1])

    def unauthorized(self) -> Response:
        return errors.unauthorized()

    def status_answer(self, status: int) -> Response:
        return errors.status(status)

    def route_path(self, below: str) -> str:
        # emqttd_http:handle_request/3 matches each API's regex against the path as sent
        # (`"/api/v2/" ++ Url`): a trailing or doubled `/` is another path, and unknown.
        return below

    def route_not_found(self, request: Request) -> Response:
        return errors.crashed()

    def route_off(self, operation_id: str) -> Response | None:
        return None

    def body_too_large(self) -> Response:
        # mochiweb's recv_body/0 exits past 1 MiB and the connection closes without an answer;
        # the mock answers 413 instead (the document says so).
        return text_response("", 413)

    def bad_request(self, request: Request, detail: str) -> Response:
        return errors.bad_request(request, detail)
