"""The EMQX 4.x management API (`/api/v4`) served from the world."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fixtures import World

from ..dialect import SPEC_DIR, operations_of
from . import errors
from .clients import ClientsApi


class EmqxV4:
    name = "emqx-v4"
    base_path = "/api/v4"
    spec_file = SPEC_DIR / "emqx-v4.yaml"

    def handlers(self, world: World) -> dict[str, Callable[..., Any]]:
        return operations_of(ClientsApi(world))

    def unauthorized(self) -> Response:
        return errors.unauthorized()

    def route_not_found(self) -> Response:
        return errors.route_not_found()

    def bad_request(self, request: Request, detail: str) -> Response:
        return errors.bad_request(request)
