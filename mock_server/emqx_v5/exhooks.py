"""`/exhooks…`: emqx_exhook_api.erl and emqx_exhook_mgr.erl (5.8.1) over the world's ExHook
servers (`World.exhooks`).

A server's answer is its raw configuration merged with what every running node reports:
`node_status` (the world dials no gRPC server, so an enabled one is `connecting` or
`disconnected`, see fixtures/exhooks.py), `node_metrics` and their sum `metrics`
(`emqx_exhook_metrics:new_metrics_info/0`, all 0: no hook ran) and `hooks` (`[]`: a server
registers its hooks only once loaded). The handlers' own error words are kept: an unknown
name is 404 with code `BAD_REQUEST` on GET and DELETE, `NOT_FOUND` on PUT, and 400
`BAD_REQUEST` on `/hooks`.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.fixtures.exhooks import name_problem, status_of

from ..paths import path_value
from . import errors

_METRICS = {"succeed": 0, "failed": 0, "rate": 0, "max_rate": 0}
_GONE = "Server not found"


class ExhooksApi:
    def __init__(self, world: World) -> None:
        self.world = world

    def _find(self, name: str) -> dict[str, Any] | None:
        return next((s for s in self.world.exhooks.servers if s["name"] == name), None)

    def _info(self, conf: dict[str, Any]) -> dict[str, Any]:
        """nodes_server_info/4: each running node's status and metrics, folded."""
        nodes = [n.name for n in self.world.running_nodes()]
        status = status_of(conf)
        return {
            **conf,
            "metrics": dict(_METRICS),
            "node_metrics": [{"node": n, "metrics": dict(_METRICS)} for n in reversed(nodes)],
            "node_status": [{"node": n, "status": status} for n in reversed(nodes)],
            "hooks": [],
        }

    def _checked(self, body: dict[str, Any]) -> Response | None:
        """The server schema's checks that the document cannot state."""
        problem = name_problem(str(body.get("name", "")))
        if problem is not None:
            return errors.bad_request(problem)
        return None

    async def list_exhooks(self) -> Response:
        return errors.ok([self._info(s) for s in self.world.exhooks.servers])

    async def create_exhook(self, body: dict[str, Any]) -> Response:
        refusal = self._checked(body)
        if refusal is not None:
            return refusal
        if not self.world.exhooks.add(body):
            return errors.bad_request("Already exists")
        conf = self._find(str(body["name"]))
        assert conf is not None
        return errors.ok(self._info(conf))

    async def get_exhook(self, name: str) -> Response:
        conf = self._find(path_value(name))
        if conf is None:
            return errors.error(404, "BAD_REQUEST", _GONE)
        return errors.ok(self._info(conf))

    async def update_exhook(self, name: str, body: dict[str, Any]) -> Response:
        wanted = path_value(name)
        refusal = self._checked({"name": wanted, **body})
        if refusal is not None:
            return refusal
        if self._find(wanted) is None:
            return errors.error(404, "NOT_FOUND", _GONE)
        self.world.exhooks.update(wanted, body)
        conf = self._find(str(body.get("name", wanted)))
        if conf is None:  # renamed by the body: get_nodes_server_info(Name) finds no server
            return errors.error(404, "BAD_REQUEST", _GONE)
        return errors.ok(self._info(conf))

    async def delete_exhook(self, name: str) -> Response:
        if not self.world.exhooks.remove(path_value(name)):
            return errors.error(404, "BAD_REQUEST", _GONE)
        return errors.no_content()

    async def move_exhook(self, name: str, body: dict[str, Any]) -> Response:
        """parse_position/1, then do_move/3: an unknown server is 404 (code BAD_REQUEST); an
        unknown related one makes `move_to/4` return `not_found` as the new list, which the
        configuration check refuses (500 BAD_RPC)."""
        position = str(body["position"])
        related = position.split(":", 1)[1] if ":" in position else ""
        valid = position in ("front", "rear") or (
            position.split(":", 1)[0] in ("before", "after") and related != ""
        )
        if not valid:
            return errors.bad_request("Invalid Position")
        wanted = path_value(name)
        if self._find(wanted) is None:
            return errors.error(404, "BAD_REQUEST", _GONE)
        if related and (related == wanted or self._find(related) is None):
            return errors.error(500, "BAD_RPC", "not_found")
        self.world.exhooks.move(wanted, position)
        return errors.no_content()

    async def list_exhook_hooks(self, name: str) -> Response:
        if self._find(path_value(name)) is None:
            return errors.bad_request(_GONE)
        return errors.ok([])
