"""`/bridges…`: emqx_bridge_api.erl (5.8.1), the data-bridge API of 5.0–5.3 kept for its
clients (emqx-exporter's EMQX 5 mode reads `/bridges` and `/bridges/{id}/metrics`).

Since 5.4 a bridge is a connector and an action (or a source) of the same world
(`World.integration`). `emqx_bridge_v2:bridge_v1_list_and_transform/0` shows an action or
source as a bridge only while its connector serves that one channel
(`bridge_v1_is_valid/3`); a source whose name an action's bridge already took is not shown.
The v1 types are `webhook` (an `http` action) and `mqtt`. A bridge's configuration is its
connector's and its action's merged back (`connector_action_config_to_bridge_v1_config/2` of
emqx_bridge_http_action_info.erl and emqx_bridge_mqtt_pubsub_action_info.erl). Creating one
creates both, the connector named as the bridge (`generate_connector_name/3`: `<name>`, else
`<name>_2`…); deleting one deletes both (`check_deps_and_remove/3` with `connector`).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.fixtures.integration import Item, Refused

from ..paths import path_value
from . import errors
from .integration import _NAME, deobfuscated, redacted

__all__ = ["BridgesApi"]

V1_TYPES = {"webhook": "http", "mqtt": "mqtt"}  # v1 type → action/connector type
_V1_OF = {"http": "webhook", "mqtt": "mqtt"}
# emqx_bridge_http_action_info.erl: where a webhook's fields go.
_HTTP_ACTION_KEYS = ("local_topic", "resource_opts")
_HTTP_PARAMETER_KEYS = ("body", "max_retries", "method", "request_timeout")
# The v1 counters (emqx_bridge_api:format_metrics/1, ?METRICS) the world's do not keep.
_V1_ONLY_COUNTERS = ("dropped.expired", "late_reply")
_COMPAT = (
    "Bridge already exists as a v2 bridge not compatible with the v1 API (it has several "
    "channels); use the /actions API"
)


@dataclass(frozen=True, slots=True)
class _Bridge:
    v1_type: str
    name: str
    channel: Item  # the action or source
    connector: Item


def _join(url: str, path: str) -> str:
    """emqx_bridge_http_connector:join_paths/2."""
    if not path:
        return url
    return url.rstrip("/") + "/" + path.lstrip("/")


def _v1_config(bridge: _Bridge) -> dict[str, Any]:
    connector = copy.deepcopy(bridge.connector.config)
    action = {k: v for k, v in bridge.channel.config.items() if k != "connector"}
    params = dict(action.pop("parameters", {}) or {})
    if bridge.v1_type == "webhook":
        merged = {**connector, **action, **{k: v for k, v in params.items()
                                            if k not in ("path", "headers")}}  # fmt: skip
        merged["url"] = _join(str(connector.get("url", "")), str(params.get("path", "")))
        merged["headers"] = {**connector.get("headers", {}), **params.get("headers", {})}
        return merged
    pool_size = connector.pop("pool_size", 8)
    local = params.pop("local", {})
    params.pop("direction", None)
    if bridge.channel.kind == "action":
        if action.get("local_topic") is not None:
            local = {**local, "topic": action["local_topic"]}
        direction = {"egress": {"pool_size": pool_size, "remote": params, "local": local}}
    else:
        direction = {"ingress": {"pool_size": pool_size, "remote": params, "local": local}}
    resource_opts = {**connector.get("resource_opts", {}), **action.get("resource_opts", {})}
    return {**direction, **connector, "resource_opts": resource_opts,
            "enable": action.get("enable", True)}  # fmt: skip


def _split(
    v1_type: str, body: dict[str, Any], connector_name: str
) -> tuple[dict[str, Any], dict[str, Any], str]:
    """emqx_connector_schema:transform_bridge_v1_config_to_connector_config/… and the action
    info modules' bridge_v1_config_to_action_config/2: (connector, channel, channel kind)."""
    conf = {k: v for k, v in body.items() if k not in ("type", "name")}
    conf.setdefault("enable", True)
    if v1_type == "webhook":
        keys = (*_HTTP_ACTION_KEYS, *_HTTP_PARAMETER_KEYS, "direction")
        connector = {k: v for k, v in conf.items() if k not in keys}
        parameters = {k: conf[k] for k in _HTTP_PARAMETER_KEYS if k in conf}
        parameters.update(path="", headers={})
        action = {k: conf[k] for k in (*_HTTP_ACTION_KEYS, "enable", "description") if k in conf}
        action.update(parameters=parameters, connector=connector_name)
        return connector, action, "action"
    egress, ingress = conf.pop("egress", None), conf.pop("ingress", None)
    side = ingress if isinstance(ingress, dict) and egress is None else egress or {}
    kind = "source" if side is ingress and ingress is not None else "action"
    connector = {k: v for k, v in conf.items() if k not in ("local_topic",)}
    connector["pool_size"] = side.get("pool_size", 8)
    channel: dict[str, Any] = {
        "enable": conf.get("enable", True),
        "connector": connector_name,
        "parameters": {**side.get("remote", {}), "local": side.get("local", {})},
    }
    if kind == "action" and isinstance(side.get("local"), dict) and "topic" in side["local"]:
        channel["local_topic"] = side["local"]["topic"]
    if "resource_opts" in conf:
        channel["resource_opts"] = conf["resource_opts"]
    return connector, channel, kind


class BridgesApi:
    def __init__(self, world: World) -> None:
        self.world = world

    # -- the v1 view -------------------------------------------------------------------------

    def _bridges(self) -> list[_Bridge]:
        """bridge_v1_list_and_transform/0: actions first, then the sources not shadowed."""
        part = self.world.integration
        found: list[_Bridge] = []
        for kind in ("action", "source"):
            taken = {b.name for b in found}
            for item in part.items(kind):
                bridge = self._compatible(item)
                if bridge is not None and not (kind == "source" and item.name in taken):
                    found.append(bridge)
        return found

    def _compatible(self, item: Item) -> _Bridge | None:
        connector = self.world.integration.get("connector", item.type, item.connector or "")
        if connector is None or item.type not in _V1_OF:
            return None
        users = self.world.integration.users_of(item.type, connector.name)
        if len(users) != 1:  # bridge_v1_is_valid/3: exactly one channel
            return None
        return _Bridge(_V1_OF[item.type], item.name, item, connector)

    def _lookup(self, v1_type: str, name: str) -> _Bridge | Response:
        """emqx_bridge:lookup/2: a bridge, 404, or 400 for an action that has no v1 form."""
        type_ = V1_TYPES[v1_type]
        for kind in ("action", "source"):
            item = self.world.integration.get(kind, type_, name)
            if item is not None:
                bridge = self._compatible(item)
                return bridge if bridge is not None else errors.bad_request(_COMPAT)
        return _not_found(v1_type, name)

    def _parse(self, raw: str) -> tuple[str, str] | Response:
        """emqx_bridge_resource:parse_bridge_id/2."""
        v1_type, sep, name = path_value(raw).partition(":")
        if not sep or not v1_type or not name:
            return errors.not_found("Invalid bridge ID, should be of format {type}:{name}")
        if v1_type not in V1_TYPES:
            return errors.not_found(f"Invalid bridge ID, invalid_bridge_type: {v1_type}")
        if not _NAME.match(name):
            return errors.not_found(f"Invalid bridge ID, bad name: {name}")
        return v1_type, name

    def _shown(self, bridge: _Bridge) -> dict[str, Any]:
        """format_bridge_info/1 over format_resource/2: the v1 configuration, `status`
        aggregated over the nodes, `node_status` per node."""
        part = self.world.integration
        up = part.status(bridge.channel) == "connected" and part.status(bridge.connector) == (
            "connected"
        )
        status = "connected" if up else "disconnected"
        nodes = self.world.cluster.running_names()
        row = {
            **redacted(_v1_config(bridge)),
            "type": bridge.v1_type,
            "name": bridge.name,
            "status": status,
            "node_status": [{"node": n, "status": status} for n in nodes],
        }
        if not up:
            row["status_reason"] = "disabled" if not bridge.channel.enabled else "not_connected"
        return row

    # -- handlers ----------------------------------------------------------------------------

    async def list_bridges(self) -> Response:
        return errors.ok([self._shown(b) for b in self._bridges()])

    async def get_bridge(self, id: str) -> Response:
        parsed = self._parse(id)
        if isinstance(parsed, Response):
            return parsed
        found = self._lookup(*parsed)
        if isinstance(found, Response):
            # '/bridges/:id'(get): one without a v1 form is simply not found
            return _not_found(*parsed) if found.status_code == 400 else found
        return errors.ok(self._shown(found))

    async def create_bridge(self, body: dict[str, Any]) -> Response:
        v1_type, name = str(body["type"]), str(body["name"])
        if not _NAME.match(name):
            return errors.bad_request(
                '{"kind":"validation_error","reason":"bad_name","value":"' + name + '"}'
            )
        found = self._lookup(v1_type, name)
        if not isinstance(found, Response):
            return errors.error(400, "ALREADY_EXISTS", "bridge already exists")
        if found.status_code == 400:
            return errors.error(400, "ALREADY_EXISTS", _COMPAT)
        problem = _required(v1_type, body)
        if problem:
            return problem
        type_ = V1_TYPES[v1_type]
        connector_name = self._free_connector_name(type_, name)
        connector, channel, kind = _split(v1_type, body, connector_name)
        now = self.world.now
        self.world.integration.create("connector", type_, connector_name, connector, now)
        item = self.world.integration.create(kind, type_, name, channel, now)
        bridge = self._compatible(item)
        assert bridge is not None  # a fresh connector with its one channel
        return errors.ok(self._shown(bridge), 201)

    def _free_connector_name(self, type_: str, name: str) -> str:
        attempt, candidate = 0, name
        while self.world.integration.get("connector", type_, candidate) is not None:
            attempt += 1
            candidate = f"{name}_{attempt + 1}"
        return candidate

    async def update_bridge(self, id: str, body: dict[str, Any]) -> Response:
        parsed = self._parse(id)
        if isinstance(parsed, Response):
            return parsed
        found = self._lookup(*parsed)
        if isinstance(found, Response):
            if found.status_code == 400:
                return errors.error(400, "ALREADY_EXISTS", _COMPAT)
            return found
        v1_type, name = parsed
        # emqx_utils:deobfuscate/2 against the stored configuration
        current = _v1_config(found)
        merged = deobfuscated({k: v for k, v in body.items() if k not in ("type", "name")}, current)
        problem = _required(v1_type, merged)
        if problem:
            return problem
        connector, channel, kind = _split(v1_type, merged, found.connector.name)
        if kind != found.channel.kind:
            return errors.bad_request("Cannot change the direction of a bridge")
        now, type_ = self.world.now, V1_TYPES[v1_type]
        try:
            self.world.integration.update("connector", type_, found.connector.name, connector, now)
            item = self.world.integration.update(kind, type_, name, channel, now)
        except Refused as exc:
            return errors.bad_request(str(exc))
        bridge = self._compatible(item)
        assert bridge is not None
        return errors.ok(self._shown(bridge))

    async def delete_bridge(self, id: str, **query: Any) -> Response:
        parsed = self._parse(id)
        if isinstance(parsed, Response):
            return parsed
        found = self._lookup(*parsed)
        if isinstance(found, Response):
            return found
        ref = f"{found.channel.type}:{found.name}"
        users = [
            r.id
            for r in self.world.rule_engine.rules.values()
            if any(a.kind == "reference" and a.name == ref for a in r.actions)
            or f"$bridges/{found.v1_type}:{found.name}" in r.topics
        ]
        also = str(query.get("also_delete_dep_actions", "false")).lower() == "true"
        if users and not also:
            return errors.ok(
                {
                    "code": "BAD_REQUEST",
                    "message": "Cannot delete bridge while active rules are depending on it",
                    "rules": users,
                },
                400,
            )
        if users:
            self.world.rule_engine.drop_references(ref)
        part = self.world.integration
        part.delete(found.channel.kind, found.channel.type, found.name)
        part.delete("connector", found.connector.type, found.connector.name)
        return errors.no_content()

    async def enable_bridge(self, id: str, enable: str) -> Response:
        """bridge_v1_enable_disable/3: the action and its connector together."""
        parsed = self._parse(id)
        if isinstance(parsed, Response):
            return parsed
        flag = {"true": True, "false": False}.get(str(enable).lower())
        if flag is None:
            return errors.not_found("Invalid operation")
        found = self._lookup(*parsed)
        if isinstance(found, Response):
            return found
        part = self.world.integration
        part.set_enable(found.channel.kind, found.channel.type, found.name, flag)
        part.set_enable("connector", found.connector.type, found.connector.name, flag)
        return errors.no_content()

    async def operate_bridge(self, id: str, operation: str) -> Response:
        return self._operate(id, operation, None)

    async def operate_bridge_on_node(self, node: str, id: str, operation: str) -> Response:
        return self._operate(id, operation, node)

    def _operate(self, id: str, operation: str, node: str | None) -> Response:
        parsed = self._parse(id)
        if isinstance(parsed, Response):
            return parsed
        if operation not in ("start", "stop", "restart"):
            return errors.not_found(f"Invalid operation: {operation}")
        found = self._lookup(*parsed)
        if isinstance(found, Response):
            return _not_found(*parsed) if found.status_code == 400 else found
        if not found.channel.enabled:
            return errors.bad_request("Forbidden operation, bridge not enabled")
        if node is not None:
            owner = self.world.node(node)
            if owner is None:
                return errors.not_found(f"Invalid node name: {node}")
            if not owner.running:
                return errors.error(503, "SERVICE_UNAVAILABLE", "request timeout")
        return errors.no_content()  # the world's targets are reachable: nothing changes

    async def get_bridge_metrics(self, id: str) -> Response:
        parsed = self._parse(id)
        if isinstance(parsed, Response):
            return parsed
        found = self._lookup(*parsed)
        if isinstance(found, Response):
            return _not_found(*parsed) if found.status_code == 400 else found
        rates = {"rate": 0.0, "rate_max": 0.0, "rate_last5m": 0.0}
        rows: list[dict[str, Any]] = []
        for node, counters in found.channel.metrics.items():
            values = {**counters, **dict.fromkeys(_V1_ONLY_COUNTERS, 0), **rates}
            rows.append({"node": node, "metrics": values})
        total: dict[str, Any] = {}
        for row in rows:
            counted: dict[str, Any] = row["metrics"]
            for key, value in counted.items():
                total[key] = total.get(key, 0) + value
        return errors.ok({"metrics": total, "node_metrics": rows})

    async def reset_bridge_metrics(self, id: str) -> Response:
        parsed = self._parse(id)
        if isinstance(parsed, Response):
            return parsed
        found = self._lookup(*parsed)
        if isinstance(found, Response):
            return found
        self.world.integration.reset_metrics(found.channel.kind, found.channel.type, found.name)
        return errors.no_content()

    async def probe_bridge(self, body: dict[str, Any]) -> Response:
        """'/bridges_probe': the schema check, then a dry run the world's targets pass."""
        v1_type = str(body["type"])
        problem = _required(v1_type, body)
        if problem:
            return problem
        return errors.no_content()


def _required(v1_type: str, conf: dict[str, Any]) -> Response | None:
    """What the v1 schemas require: a webhook's `url` (validate_webhook_url/1), an MQTT
    bridge's `server` and one direction."""
    if v1_type == "webhook" and not conf.get("url"):
        return errors.bad_request(
            '{"kind":"validation_error","reason":"required_field","required_field":"url"}'
        )
    if v1_type == "mqtt":
        if not conf.get("server"):
            return errors.bad_request(
                '{"kind":"validation_error","reason":"required_field","path":"server"}'
            )
        if not isinstance(conf.get("egress"), dict) and not isinstance(conf.get("ingress"), dict):
            return errors.bad_request(
                '{"kind":"validation_error","reason":"ingress or egress required"}'
            )
    return None


def _not_found(v1_type: str, name: str) -> Response:
    return errors.not_found(
        f"Bridge lookup failed: bridge named '{name}' of type {v1_type} does not exist."
    )
