"""The EMQX 4.x management API (`/api/v4`) served from the world."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

from fixtures import World

from ..dialect import SPEC_DIR, operations_of
from . import errors, rejections
from .alarms import AlarmsApi
from .banned import BannedApi
from .clients import ClientsApi
from .cluster import ClusterApi
from .data import DataApi
from .extensions import ExtensionsApi
from .listeners import ListenersApi
from .monitoring import MonitoringApi
from .pubsub import PubSubApi
from .root import RootApi, StatusMiddleware
from .routes import RoutesApi
from .sessions import SessionsApi
from .subscriptions import SubscriptionsApi


class EmqxV4:
    name = "emqx-v4"
    base_path = "/api/v4"
    spec_file = SPEC_DIR / "emqx-v4.yaml"

    def handlers(self, world: World) -> dict[str, Callable[..., Any]]:
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
                )
            ),
            RootApi(world, self.spec_file),
        )

    def wrap(self, app: ASGIApp, world: World) -> ASGIApp:
        """Routes the broker serves outside its API base path: `GET /status`."""
        return StatusMiddleware(app, world)

    def unauthorized(self) -> Response:
        return errors.unauthorized()

    def route_not_found(self) -> Response:
        return errors.route_not_found()

    def bad_request(self, request: Request, detail: str) -> Response:
        return rejections.answer(request) or errors.bad_request(request)
