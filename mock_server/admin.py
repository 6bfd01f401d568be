"""The admin API (`/__mock/…`, `openapi/mock-admin.yaml`): thin handlers over the `Runtime`.

Not a broker API, so not in the registry: the suite must never pick it as a target, and the
banner lists it apart. Connexion serves it beside the dialects (routing, validation, Swagger
UI at `/__mock/ui/`), with response validation on: its answers are ours alone to get right.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures.scenario import ScenarioError, available
from mqtt_api_kit.fixtures.scenario import load as load_scenario

from .dialect import Handler, operations_of
from .http import json_response
from .journal import ADMIN_BASE
from .runtime import Runtime

__all__ = ["ADMIN_BASE", "ADMIN_DOCUMENT", "AdminApi", "admin_error"]

ADMIN_DOCUMENT = "mock-admin.yaml"


def admin_error(message: str, status: int) -> Response:
    return json_response({"error": message}, status)


class AdminApi:
    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime

    def handlers(self) -> Mapping[str, Handler]:
        return operations_of(_Handlers(self._runtime))


class _Handlers:
    def __init__(self, runtime: Runtime) -> None:
        self._r = runtime

    async def get_state(self) -> Response:
        return json_response(self._r.state())

    async def reset(self) -> Response:
        self._r.reset()
        return json_response(self._r.state())

    async def take_snapshot(self) -> Response:
        return json_response(self._r.snapshot(), 201)

    async def restore_snapshot(self, id: str) -> Response:
        if not self._r.restore(id):
            known = ", ".join(self._r.snapshots) or "none"
            return admin_error(f"no snapshot {id!r} (kept: {known})", 404)
        return json_response(self._r.state())

    async def list_requests(self, limit: int = 100) -> Response:
        journal = self._r.journal
        return json_response({"total": journal.total, "items": journal.last(limit)})

    async def clear_requests(self) -> Response:
        self._r.journal.clear()
        return Response(status_code=204)

    async def control_clock(self, body: dict[str, Any]) -> Response:
        action, speed = body.get("action"), body.get("speed")
        if action is None and speed is None:
            return admin_error("say an action (pause, resume, advance) or a speed", 400)
        if action == "advance" and not body.get("seconds"):
            return admin_error("advance needs seconds > 0", 400)
        self._r.clock(action or "", float(body.get("seconds") or 0), speed)
        return json_response(self._r.state())

    async def list_scenarios(self) -> Response:
        items = [load_scenario(name).summary() for name in available()]
        return json_response({"items": items})

    async def load_scenario(self, name: str) -> Response:
        if name not in available():
            return admin_error(f"no scenario {name!r} (shipped: {', '.join(available())})", 404)
        try:
            scenario = load_scenario(name)
        except ScenarioError as exc:
            return admin_error(str(exc), 422)
        self._r.reset(scenario)
        return json_response(self._r.state())
