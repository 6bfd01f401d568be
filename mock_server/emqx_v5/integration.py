"""`/connectors…`, `/actions…`, `/sources…`: emqx_connector_api.erl and emqx_bridge_v2_api.erl
(5.8.1), over the world's data integration (`World.integration`).

The open-source edition knows `http` and `mqtt` connectors and actions, and `mqtt` sources. An
id is `<type>:<name>`; one that does not parse is 404 `Invalid … ID`. An item is shown as its
configuration plus `type`, `name`, `status` (aggregated over the nodes: `inconsistent` when
they differ) and `node_status`; an action or source also lists the connector it uses, a
connector the actions and sources using it. A probe (`…_probe`) checks a configuration
without storing it; the world's external systems are reachable, so a valid one passes.
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.fixtures.integration import Item, Refused

from ..paths import path_value
from . import errors

TYPES = {"connector": ("http", "mqtt"), "action": ("http", "mqtt"), "source": ("mqtt",)}
_NAME = re.compile(r"^[A-Za-z0-9]+[A-Za-z0-9_.-]*$")  # emqx_resource:validate_name/1
_META = ("type", "name", "status", "node_status", "node_metrics", "metrics", "node")


# What each type's schema requires (emqx_bridge_http_schema, emqx_bridge_mqtt_*_schema).
_REQUIRED = {
    ("connector", "http"): ("url",),
    ("connector", "mqtt"): ("server",),
    ("action", "http"): ("connector", "parameters"),
    ("action", "mqtt"): ("connector", "parameters"),
    ("source", "mqtt"): ("connector", "parameters"),
}
_SECRETS = ("password", "secret", "token")


def redacted(value: Any) -> Any:
    """emqx_utils:redact/1: secrets are shown as `******`."""
    if isinstance(value, dict):
        return {
            k: "******" if k in _SECRETS and isinstance(v, str) else redacted(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redacted(v) for v in value]
    return value


def deobfuscated(new: Any, old: Any) -> Any:
    """emqx_utils:deobfuscate/2: a `******` sent back keeps the stored secret."""
    if isinstance(new, dict) and isinstance(old, dict):
        return {
            k: old[k] if v == "******" and k in old else deobfuscated(v, old.get(k))
            for k, v in new.items()
        }
    return new


def _lookup_failed(kind: str, type_: str, name: str) -> Response:
    if kind == "connector":
        return errors.not_found(
            f"Connector lookup failed: connector named '{name}' of type {type_} does not exist."
        )
    return errors.not_found(
        f"Bridge lookup failed: bridge named '{name}' of type {type_} does not exist."
    )


class IntegrationApi:
    """One kind's handlers; `operations()` names them as the document does."""

    def __init__(self, world: World, kind: str) -> None:
        self.world, self.kind = world, kind

    # -- shared ------------------------------------------------------------------------------

    def _parse(self, raw: str) -> tuple[str, str] | Response:
        """emqx_connector_resource:parse_connector_id/2 / emqx_bridge_resource:parse_bridge_id/2."""
        text = path_value(raw)
        type_, sep, name = text.partition(":")
        word = {"connector": "connector", "action": "bridge", "source": "source"}[self.kind]
        if not sep or not type_ or not name:
            return errors.not_found(f"Invalid {word} ID, should be of format {{type}}:{{name}}")
        if type_ not in TYPES[self.kind]:
            return errors.not_found(f"Invalid {word} ID, invalid_{word}_type: {type_}")
        if not _NAME.match(name):
            return errors.not_found(f"Invalid {word} ID, bad name: {name}")
        return type_, name

    def _shown(self, item: Item) -> dict[str, Any]:
        status = self.world.integration.status(item)
        nodes = self.world.cluster.running_names()
        row: dict[str, Any] = {
            **redacted(item.config),
            "type": item.type,
            "name": item.name,
            "status": status,
            "node_status": [{"node": n, "status": status} for n in nodes],
        }
        if self.kind == "connector":
            users = self.world.integration.users_of(item.type, item.name)
            row["actions"] = sorted(u.name for u in users if u.kind == "action")
            row["sources"] = sorted(u.name for u in users if u.kind == "source")
        else:
            row["created_at"] = item.created_at
            row["last_modified_at"] = item.last_modified_at
        if status == "disconnected":
            row["status_reason"] = "not_connected" if item.enabled else "disabled"
        return row

    def _config(self, body: dict[str, Any]) -> dict[str, Any]:
        config = {k: v for k, v in body.items() if k not in _META}
        config.setdefault("enable", True)
        config.setdefault("description", "")
        return config

    def _schema_problem(self, type_: str, config: dict[str, Any]) -> Response | None:
        """The type's own schema, which the broker checks the stored configuration against
        (a body for another type misses what this one requires)."""
        missing = [f for f in _REQUIRED.get((self.kind, type_), ()) if f not in config]
        if not missing:
            return None
        reason = {"kind": "validation_error", "reason": "required_field", "path": missing[0]}
        return errors.bad_request(json.dumps(reason, separators=(",", ":")))

    def _refused(self, exc: Refused, type_: str, name: str) -> Response:
        reason = str(exc)
        if reason == "already_exists":
            word = "connector" if self.kind == "connector" else "bridge"
            return errors.error(400, "ALREADY_EXISTS", f"{word} already exists")
        if reason == "not_found":
            return _lookup_failed(self.kind, type_, name)
        return errors.bad_request(f'{{"kind":"validation_error","reason":"{reason}"}}')

    def _valid(self, type_: str, name: str) -> Response | None:
        if type_ not in TYPES[self.kind]:
            return errors.bad_request(f"invalid {self.kind} type: {type_}")
        if not _NAME.match(name):
            return errors.bad_request(
                '{"kind":"validation_error","reason":"bad_name","value":"' + name + '"}'
            )
        return None

    # -- the handlers ------------------------------------------------------------------------

    async def list(self) -> Response:
        return errors.ok([self._shown(i) for i in self.world.integration.items(self.kind)])

    async def create(self, body: dict[str, Any]) -> Response:
        type_, name = str(body["type"]), str(body["name"])
        problem = self._valid(type_, name) or self._schema_problem(type_, self._config(body))
        if problem:
            return problem
        try:
            item = self.world.integration.create(
                self.kind, type_, name, self._config(body), self.world.now
            )
        except Refused as exc:
            return self._refused(exc, type_, name)
        return errors.ok(self._shown(item), 201)

    async def get(self, id: str) -> Response:
        parsed = self._parse(id)
        if isinstance(parsed, Response):
            return parsed
        item = self.world.integration.get(self.kind, *parsed)
        return errors.ok(self._shown(item)) if item else _lookup_failed(self.kind, *parsed)

    async def update(self, id: str, body: dict[str, Any]) -> Response:
        parsed = self._parse(id)
        if isinstance(parsed, Response):
            return parsed
        current = self.world.integration.get(self.kind, *parsed)
        if current is None:
            return _lookup_failed(self.kind, *parsed)
        config = deobfuscated(self._config(body), current.config)
        problem = self._schema_problem(parsed[0], config)
        if problem:
            return problem
        try:
            item = self.world.integration.update(self.kind, *parsed, config, self.world.now)
        except Refused as exc:
            return self._refused(exc, *parsed)
        return errors.ok(self._shown(item))

    async def delete(self, id: str, **query: Any) -> Response:
        parsed = self._parse(id)
        if isinstance(parsed, Response):
            return parsed
        type_, name = parsed
        if self.world.integration.get(self.kind, type_, name) is None:
            return _lookup_failed(self.kind, type_, name)
        if self.kind != "connector":
            ref = f"{type_}:{name}"
            users = [
                r.id
                for r in self.world.rule_engine.rules.values()
                if any(a.kind == "reference" and a.name == ref for a in r.actions)
                or f"$sources/{ref}" in r.topics
            ]
            if users and not query.get("also_delete_dep_actions"):
                return errors.ok(
                    {
                        "code": "BAD_REQUEST",
                        "message": "Cannot delete action while active rules are depending on it",
                        "rules": users,
                    },
                    400,
                )
            if users:  # also_delete_dep_actions: the rules stay, without this action
                self.world.rule_engine.drop_references(ref)
        try:
            self.world.integration.delete(self.kind, type_, name)
        except Refused:
            channels = [
                f"{u.kind}:{u.type}:{u.name}" for u in self.world.integration.users_of(type_, name)
            ]
            return errors.bad_request(
                '{<<"Cannot delete connector while there are active channels defined for '
                f'this connector">>,{channels}}}'
            )
        return errors.no_content()

    async def enable(self, id: str, enable: bool) -> Response:
        parsed = self._parse(id)
        if isinstance(parsed, Response):
            return parsed
        if self.world.integration.set_enable(self.kind, *parsed, bool(enable)) is None:
            return _lookup_failed(self.kind, *parsed)
        return errors.no_content()

    async def operate(self, id: str, operation: str) -> Response:
        return self._operate(id, operation, None)

    async def operate_on_node(self, node: str, id: str, operation: str) -> Response:
        owner = self.world.node(node)
        if owner is None or not owner.running:
            return errors.not_found(f"Node not found: {node}")
        return self._operate(id, operation, node)

    def _operate(self, id: str, operation: str, node: str | None) -> Response:
        parsed = self._parse(id)
        if isinstance(parsed, Response):
            return parsed
        item = self.world.integration.get(self.kind, *parsed)
        if item is None:
            return _lookup_failed(self.kind, *parsed)
        if not item.enabled:
            word = "connector" if self.kind == "connector" else "bridge"
            return errors.bad_request(f"Forbidden operation, {word} not enabled")
        return errors.no_content()  # `start`: the world's targets are reachable

    async def metrics(self, id: str) -> Response:
        parsed = self._parse(id)
        if isinstance(parsed, Response):
            return parsed
        item = self.world.integration.get(self.kind, *parsed)
        if item is None:
            return _lookup_failed(self.kind, *parsed)
        rates = {"rate": 0.0, "rate_max": 0.0, "rate_last5m": 0.0}
        rows: list[dict[str, Any]] = [
            {"node": node, "metrics": {**counters, **rates}}
            for node, counters in item.metrics.items()
        ]
        total: dict[str, Any] = {}
        for row in rows:
            counters: dict[str, Any] = row["metrics"]
            for key, value in counters.items():
                total[key] = total.get(key, 0) + value
        return errors.ok({"metrics": total, "node_metrics": rows})

    async def reset_metrics(self, id: str) -> Response:
        parsed = self._parse(id)
        if isinstance(parsed, Response):
            return parsed
        self.world.integration.reset_metrics(self.kind, *parsed)
        return errors.no_content()

    async def probe(self, body: dict[str, Any]) -> Response:
        type_, name = str(body["type"]), str(body.get("name", "probe"))
        problem = self._valid(type_, name) or self._schema_problem(type_, self._config(body))
        if problem:
            return problem  # the schema check before the dry run: 400 BAD_REQUEST
        if self.kind != "connector":
            connector = body.get("connector")
            if self.world.integration.get("connector", type_, str(connector)) is None:
                return errors.error(400, "TEST_FAILED", "connector_not_found_or_wrong_type")
        return errors.no_content()

    async def types(self) -> Response:
        return errors.ok(list(TYPES[self.kind]))


def handlers(world: World) -> dict[str, Any]:
    """operationId → handler for the three kinds."""
    table: dict[str, Any] = {}
    for kind, plural in (("connector", "Connector"), ("action", "Action"), ("source", "Source")):
        api = IntegrationApi(world, kind)
        table.update(
            {
                f"list{plural}s": api.list,
                f"create{plural}": api.create,
                f"get{plural}": api.get,
                f"update{plural}": api.update,
                f"delete{plural}": api.delete,
                f"enable{plural}": api.enable,
                f"operate{plural}": api.operate,
                f"operate{plural}OnNode": api.operate_on_node,
                f"probe{plural}": api.probe,
            }
        )
        if kind != "connector":
            table[f"get{plural}Metrics"] = api.metrics
            table[f"reset{plural}Metrics"] = api.reset_metrics
            table[f"list{plural}Types"] = api.types
    return table


__all__ = ["TYPES", "IntegrationApi", "handlers"]
