"""`/gateways`, `/gateways/{name}`, `…/enable/{enable}` and `…/listeners…`: emqx_gateway_api.erl,
emqx_gateway_api_listeners.erl, emqx_gateway_http.erl and emqx_gateway_conf.erl (5.8.1), over
the world's loaded gateways (`World.gateways.loaded`).

* `GET /gateways` is `emqx_gateway_http:gateways/1` for every registered gateway, an unloaded
  one as `{name, status: unloaded}`; `status` is checked by the handler (`all` or a known
  status, else 400 `Unknown gateway status in query: …`), not by the schema.
* A listener is running while its gateway runs and it is enabled (an esockd listener exists);
  a node's `current_connections` are the gateway's channels there, which the world attributes
  to the gateway's first listener (its devices register through it).
* `PUT /gateways/{name}` loads an unloaded gateway (listeners given as a list of
  `{type, name, …}`, names checked by `validate_listener_name/1`) or updates a loaded one's own
  fields (`listeners` and `authentication` are left alone, `update_gateway/2`).
"""

from __future__ import annotations

import re
from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.fixtures.gateway_conf import GATEWAY_NAMES, LISTENER_TYPES, REQUIRED
from mqtt_api_kit.fixtures.gateways import LoadedGateway

from ..paths import path_value
from . import errors
from .gateway_common import (
    bad_listener_id,
    current_connections,
    http_error,
    listener_id,
    not_loaded,
    parse_listener_id,
    stamps,
)

_STATUSES = ("running", "stopped", "unloaded")
_LISTENER_NAME = re.compile(r"^[a-zA-Z][0-9a-zA-Z_-]*$")
_HIDDEN = ("id", "name", "type", "running")  # add_listener/2 drops them from the body


def _max(values: list[Any]) -> Any:
    """emqx_gateway_utils:plus_max_connections/2: `infinity` absorbs."""
    if any(v == "infinity" for v in values):
        return "infinity"
    return sum(int(v) for v in values)


class GatewaysApi:
    def __init__(self, world: World) -> None:
        self.world = world

    def _nodes(self) -> list[str]:
        return [n.name for n in self.world.running_nodes()]

    def _running(self, gw: LoadedGateway, conf: dict[str, Any]) -> bool:
        return gw.status == "running" and conf.get("enable", True) is not False

    def _listener_rows(self, gw: LoadedGateway) -> list[dict[str, Any]]:
        return [
            {**conf, "id": listener_id(gw.name, t, n), "type": t, "name": n}
            for t, n, conf in gw.listeners()
        ]

    def _node_connections(self, gw: LoadedGateway, lid: str, node: str) -> int:
        first = gw.listeners()[:1]
        if not first or listener_id(gw.name, first[0][0], first[0][1]) != lid:
            return 0
        return current_connections(self.world, gw.name, node)

    # -- gateways ----------------------------------------------------------------------------

    def _overview(self, name: str) -> dict[str, Any]:
        gw = self.world.gateways.loaded.get(name)
        if gw is None:
            return {"name": name, "status": "unloaded"}
        per_node_max = _max([c.get("max_connections", 1024) for _t, _n, c in gw.listeners()])
        node_status = [
            {
                "node": node,
                "status": gw.status,
                "max_connections": per_node_max,
                "current_connections": current_connections(self.world, name, node),
            }
            for node in self._nodes()
        ]
        return {
            **stamps(gw),
            "max_connections": _max([s["max_connections"] for s in node_status]),
            "current_connections": sum(s["current_connections"] for s in node_status),
            "listeners": [
                {
                    "id": r["id"],
                    "type": r["type"],
                    "name": r["name"],
                    "running": self._running(gw, r),
                }
                for r in self._listener_rows(gw)
            ],
            "node_status": node_status,
        }

    async def list_gateways(self, status: str | None = None) -> Response:
        wanted = "all" if status is None else status
        if wanted not in ("all", *_STATUSES):
            return http_error(
                400,
                f"Unknown gateway status in query: {wanted}\nValues allowed: "
                + ", ".join(_STATUSES),
            )
        rows = [self._overview(n) for n in GATEWAY_NAMES]
        return errors.ok([r for r in rows if wanted in ("all", r["status"])])

    async def get_gateway(self, name: str) -> Response:
        gw = self.world.gateways.loaded.get(name)
        if gw is None:
            return errors.ok({"name": name, "status": "unloaded"})
        return errors.ok({**gw.config, "listeners": self._listener_rows(gw), **stamps(gw)})

    async def put_gateway(self, name: str, body: dict[str, Any]) -> Response:
        conf = {k: v for k, v in body.items() if k != "name"}
        if name in self.world.gateways.loaded:
            self.world.gateways.update_gateway(name, conf, self.world.now)
            return errors.no_content()
        for key in REQUIRED.get(name, ()):
            if key not in conf:
                return http_error(
                    400,
                    "Invalid configurations: {kind => validation_error, "
                    f'path => "gateway.{name}.{key}", reason => required_field}}',
                )
        listeners = conf.pop("listeners", [])
        tree: dict[str, dict[str, Any]] = {}
        for item in listeners if isinstance(listeners, list) else []:
            if not isinstance(item, dict) or "type" not in item or "name" not in item:
                return errors.error(500, "INTERNAL_ERROR", "error: bad_key")
            lname, type_ = str(item["name"]), str(item["type"])
            if not _LISTENER_NAME.match(lname):
                return http_error(
                    400, f"Bad config value '\"{lname}\"' for 'name', reason: bad_listener_name"
                )
            if type_ not in LISTENER_TYPES[name]:
                return http_error(400, f"Invalid configurations: unknown listener type {type_}")
            own = {k: v for k, v in item.items() if k not in _HIDDEN}
            tree.setdefault(type_, {})[lname] = own
        self.world.gateways.load_gateway(name, {**conf, "listeners": tree}, self.world.now)
        return errors.no_content()

    async def enable_gateway(self, name: str, enable: bool) -> Response:
        if name not in self.world.gateways.loaded:
            return http_error(404, "NOT FOUND")
        self.world.gateways.update_gateway(name, {"enable": enable}, self.world.now)
        return errors.no_content()

    # -- listeners ---------------------------------------------------------------------------

    def _status(self, gw: LoadedGateway, row: dict[str, Any]) -> dict[str, Any]:
        per_node: list[dict[str, Any]] = [
            {
                "node": node,
                "status": {
                    "running": self._running(gw, row),
                    "current_connections": self._node_connections(gw, row["id"], node),
                    "max_connections": row.get("max_connections", 1024),
                },
            }
            for node in self._nodes()
        ]
        return {
            **row,
            "status": {
                "running": all(s["status"]["running"] for s in per_node),
                "max_connections": _max([s["status"]["max_connections"] for s in per_node]),
                "current_connections": sum(s["status"]["current_connections"] for s in per_node),
            },
            "node_status": per_node,
        }

    async def list_gateway_listeners(self, name: str) -> Response:
        gw = self.world.gateways.loaded.get(name)
        if gw is None:
            return not_loaded()
        return errors.ok([self._status(gw, r) for r in self._listener_rows(gw)])

    async def create_gateway_listener(self, name: str, body: dict[str, Any]) -> Response:
        gw = self.world.gateways.loaded.get(name)
        if gw is None:
            return not_loaded()
        for key in ("type", "name", "bind"):
            if key not in body:
                return http_error(400, f"{key} is required")
        type_, lname = str(body["type"]), str(body["name"])
        if type_ not in LISTENER_TYPES[name]:
            return http_error(400, f"Invalid configurations: unknown listener type {type_}")
        if gw.listener(type_, lname) is not None:
            return http_error(400, "Listener name has occupied")
        if not _LISTENER_NAME.match(lname):
            return http_error(
                400, f"Bad config value '\"{lname}\"' for 'name', reason: bad_listener_name"
            )
        own = {k: v for k, v in body.items() if k not in _HIDDEN}
        self.world.gateways.put_listener(name, type_, lname, own)
        stored = gw.listener(type_, lname) or {}
        return errors.ok(
            {**stored, "id": listener_id(name, type_, lname), "type": type_, "name": lname}, 201
        )

    def _found(self, name: str, id: str) -> tuple[LoadedGateway, str, str, str] | Response:
        """with_gateway/2 then emqx_gateway_conf:listener/1 (the id names its gateway)."""
        if name not in self.world.gateways.loaded:
            return not_loaded()
        raw = path_value(id)
        parsed = parse_listener_id(raw)
        if parsed is None:
            return bad_listener_id(raw)
        gw = self.world.gateways.loaded.get(parsed[0])
        if gw is None:
            return http_error(404, "Listener not found")
        return gw, parsed[1], parsed[2], raw

    async def get_gateway_listener(self, name: str, id: str) -> Response:
        found = self._found(name, id)
        if isinstance(found, Response):
            return found
        gw, type_, lname, raw = found
        conf = gw.listener(type_, lname)
        if conf is None:
            return http_error(404, "Listener not found")
        row = {**conf, "id": raw, "type": type_, "name": lname}
        return errors.ok({**row, "running": self._running(gw, row)})

    async def update_gateway_listener(self, name: str, id: str, body: dict[str, Any]) -> Response:
        found = self._found(name, id)
        if isinstance(found, Response):
            if found.status_code == 404 and name in self.world.gateways.loaded:
                parsed = parse_listener_id(path_value(id))
                if parsed is not None:  # update_listener/2: {badres, listener not_found}
                    return http_error(400, f"Listener {path_value(id)} not found")
            return found
        gw, type_, lname, raw = found
        if gw.listener(type_, lname) is None:
            return http_error(400, f"Listener {raw} not found")
        own = {k: v for k, v in body.items() if k not in _HIDDEN}
        self.world.gateways.put_listener(gw.name, type_, lname, own)
        stored = gw.listener(type_, lname) or {}
        return errors.ok({**stored, "id": raw, "type": type_, "name": lname})

    async def delete_gateway_listener(self, name: str, id: str) -> Response:
        found = self._found(name, id)
        if isinstance(found, Response):
            return found
        gw, type_, lname, _raw = found
        if not self.world.gateways.remove_listener(gw.name, type_, lname):
            return http_error(404, "Listener not found")
        return errors.no_content()
