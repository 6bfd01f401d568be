"""The HiveMQ 4.x REST API (`/api/v1`) served from the world: every operation of HiveMQ's
4.30.0 document — MQTT clients, backups, trace recordings, diagnostic archives and the Data
Hub (schemas, scripts, data and behavior policies, client states, trial mode). Open by
default, as HiveMQ ships."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping

from starlette.requests import Request
from starlette.responses import Response

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.registry import HIVEMQ

from ..auth import basic_credentials
from ..config import MockConfig
from ..dialect import BodyPolicy, Handler, operations_of
from . import errors
from .backups import BackupsApi
from .clients import MqttClientsApi
from .cursor import DEFAULT_TTL, Cursors
from .datahub import DataHubSchemasApi
from .datahub_state import DataHubStateApi
from .policies import BehaviorPoliciesApi, DataPoliciesApi
from .scripts import DataHubScriptsApi
from .trace_recordings import TraceRecordingsApi


def _parses(body: bytes) -> bool:
    try:
        json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return False
    return True


class HiveMq:
    api = HIVEMQ
    open_routes: frozenset[tuple[str, str]] = frozenset()
    outside_routes: Mapping[str, Callable[[str], Response]] = {}
    # A JSON body that does not parse is HiveMQ's 400 `Invalid input`, never a crash; other
    # content types are left to validation (415-like answers come from the document).
    body_policy = BodyPolicy(
        frozenset({"POST", "PUT", "PATCH"}),
        False,
        _parses,
        lambda: errors.error(400, errors.INVALID_INPUT, "Unable to parse JSON body"),
    )

    def __init__(
        self,
        world: World,
        config: MockConfig,
        cursor_ttl: float = DEFAULT_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.world, self.credentials = world, config.credentials_for(self.api)
        self.cursors = Cursors(world.seed, cursor_ttl, clock)

    def boot(self) -> None:
        pass  # HiveMQ's credentials are the listener's configuration, not broker state

    def handlers(self) -> dict[str, Handler]:
        world, cursors = self.world, self.cursors
        return operations_of(
            MqttClientsApi(world, cursors),
            DataHubSchemasApi(world, cursors),
            DataHubScriptsApi(world, cursors),
            DataPoliciesApi(world, cursors),
            BehaviorPoliciesApi(world, cursors),
            DataHubStateApi(world),
            BackupsApi(world),
            TraceRecordingsApi(world),
        )

    def admits(self, authorization: bytes | None, path: str) -> bool:
        return self.credentials is None or basic_credentials(authorization) == self.credentials

    def unauthorized(self) -> Response:
        return errors.unauthorized()

    def status_answer(self, status: int) -> Response:
        return errors.status(status)

    def route_path(self, below: str) -> str:
        # HiveMQ's router is not public and its reference is silent (`x-hivemq`
        # `reference-silent`): the mock routes the path as sent.
        return below

    def route_not_found(self, request: Request) -> Response:
        return errors.route_not_found()

    def route_off(self, operation_id: str) -> Response | None:
        return None

    def body_too_large(self) -> Response:
        # HiveMQ's document is silent on a body limit; the mock answers in its error shape.
        return errors.error(413, errors.TOO_LARGE, "The request body is too large")

    def bad_request(self, request: Request, detail: str) -> Response:
        return errors.bad_request(request, detail)
