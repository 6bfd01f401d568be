"""`emqx_rule_engine`: rules, actions, resources, resource types, rule events.

The rule engine's API reports failures with HTTP-like numbers inside an HTTP 200 body:
`{"code":400,"message":…}` for a request it refuses, `{"code":404,"message":…}` for an id it
does not know (reference §3.1). Action and resource-type names are path segments the broker
turns into existing atoms, so an unknown name there is the route's 404 `Not found.`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import World, rule_sql
from mqtt_api_kit.fixtures.rules import (
    ACTION_TYPES,
    RESOURCE_TYPES,
    RULE_EVENTS,
    Rule,
    RuleEngine,
    RuleError,
)

from ..paths import path_value
from . import errors, render
from .query import Page

_CODES = {"bad_request": 400, "not_found": 404}
_RULE_FILTERS = ("enabled", "for", "_like_id", "_like_for", "_match_for", "_like_description")


def _failed(exc: RuleError) -> Response:
    return errors.error(_CODES[exc.kind], exc.message)


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


class RulesApi:
    def __init__(self, world: World) -> None:
        self.world = world

    @property
    def _engine(self) -> RuleEngine:
        return self.world.rule_engine

    def _nodes(self) -> list[str]:
        return [n.name for n in self.world.running_nodes()]

    # -- rules -------------------------------------------------------------------------------

    async def list_rules(self, **params: Any) -> Response:
        rules = list(self._engine.rules.values())
        preds: list[Callable[[Rule], bool]] = []
        if "enabled" in params:
            preds.append(lambda r: r.enabled == _truthy(params["enabled"]))
        if "for" in params:
            preds.append(lambda r: str(params["for"]) in r.topics)
        if "_like_id" in params:
            preds.append(lambda r: str(params["_like_id"]) in r.id)
        if "_like_for" in params:
            preds.append(lambda r: any(str(params["_like_for"]) in t for t in r.topics))
        if "_match_for" in params:
            preds.append(
                lambda r: any(
                    rule_sql.topic_matches(str(params["_match_for"]), t) for t in r.topics
                )
            )
        if "_like_description" in params:
            preds.append(lambda r: str(params["_like_description"]) in r.description)
        rows = [r for r in rules if all(p(r) for p in preds)]
        page = Page.from_params(params)
        taken, hasnext = page.take(rows)
        count = -1 if any(f in params for f in _RULE_FILTERS) else len(rules)
        return errors.ok(data=[render.rule(r) for r in taken], meta=page.meta(count, hasnext))

    async def create_rule(self, body: Any = None, **params: Any) -> Response:
        body = body if isinstance(body, dict) else {}
        if _truthy(params.get("test", "false")):
            return self._test_sql(body)
        try:
            rule = self._engine.create_rule(body, self.world.tick())
        except RuleError as exc:
            return _failed(exc)
        return errors.ok(data=render.rule(rule))

    def _test_sql(self, body: dict[str, Any]) -> Response:
        sql = body.get("rawsql")
        if not isinstance(sql, str):
            return errors.error(400, "Missing Required Parameter: rawsql")
        try:
            statement = rule_sql.parse(sql)
        except rule_sql.SqlError as exc:
            return errors.error(400, f"{{parse_error,{exc}}}")
        given = body.get("ctx")
        ctx: dict[str, Any] = given if isinstance(given, dict) else {}
        output = rule_sql.evaluate(statement, self._context(statement, ctx))
        if output is None:
            return errors.error(400, "SQL Not Match")
        return errors.ok(data=output)

    def _context(self, statement: rule_sql.Statement, ctx: dict[str, Any]) -> dict[str, Any]:
        """The dashboard's default test columns, overridden by what the request sent."""
        events = [t for t in statement.topics if t.startswith("$events/")]
        now = self.world.now
        base: dict[str, Any] = {
            "event": events[0] if events and "topic" not in ctx else "message.publish",
            "id": f"{now:016X}{0:016X}"[:32],
            "clientid": "c_emqx",
            "username": "u_emqx",
            "topic": "t/a",
            "qos": 1,
            "payload": '{"msg":"hello"}',
            "peerhost": "127.0.0.1",
            "flags": {"retain": False, "dup": False},
            "node": self._nodes()[0] if self._nodes() else "emqx@127.0.0.1",
            "timestamp": now,
            "publish_received_at": now,
        }
        return {**base, **ctx}

    async def get_rule(self, id: str) -> Response:
        try:
            return errors.ok(data=render.rule(self._engine.rule(path_value(id))))
        except RuleError as exc:
            return _failed(exc)

    async def update_rule(self, id: str, body: Any = None) -> Response:
        body = body if isinstance(body, dict) else {}
        try:
            rule = self._engine.update_rule(path_value(id), body, self.world.tick())
        except RuleError as exc:
            return _failed(exc)
        return errors.ok(data=render.rule(rule))

    async def delete_rule(self, id: str) -> Response:
        self._engine.delete_rule(path_value(id))
        return errors.ok()

    async def reset_rule_metrics(self, id: str) -> Response:
        self._engine.reset_metrics(path_value(id))
        return errors.ok()

    # -- catalogues ---------------------------------------------------------------------------

    async def list_actions(self, **params: Any) -> Response:
        hook = params.get("for")
        actions = [
            a for a in ACTION_TYPES.values() if hook is None or a.for_ in ("$any", str(hook))
        ]
        return errors.ok(data=[render.action_type(a) for a in actions])

    async def get_action(self, name: str) -> Response:
        action = ACTION_TYPES.get(name)
        if action is None:  # not an existing atom: the route does not match
            return errors.route_not_found()
        return errors.ok(data=render.action_type(action))

    async def list_resource_types(self) -> Response:
        return errors.ok(data=[render.resource_type(t) for t in RESOURCE_TYPES.values()])

    async def get_resource_type(self, name: str) -> Response:
        kind = RESOURCE_TYPES.get(name)
        if kind is None:
            return errors.route_not_found()
        return errors.ok(data=render.resource_type(kind))

    async def list_resources_of_type(self, type: str) -> Response:
        if type not in RESOURCE_TYPES:
            return errors.route_not_found()
        found = [r for r in self._engine.resources.values() if r.type == type]
        return errors.ok(data=[render.resource(r) for r in found])

    async def list_rule_events(self) -> Response:
        data = []
        for event, title, columns in RULE_EVENTS:
            topic = "t/#" if event == "message.publish" else event
            data.append(
                {
                    "event": event,
                    "title": title,
                    "description": title,
                    "columns": columns,
                    "test_columns": {
                        c: "" for c in ("clientid", "username", "topic") if c in columns
                    },
                    "sql_example": f'SELECT * FROM "{topic}"',
                }
            )
        return errors.ok(data=data)

    # -- resources ---------------------------------------------------------------------------

    async def list_resources(self) -> Response:
        return errors.ok(data=[render.resource(r) for r in self._engine.resources.values()])

    async def create_resource(self, body: Any = None, **params: Any) -> Response:
        body = body if isinstance(body, dict) else {}
        try:
            if _truthy(params.get("test", "false")):  # connectivity test: nothing is stored
                self._engine.check_resource(body)
                return errors.ok()
            res = self._engine.create_resource(body, self.world.tick())
        except RuleError as exc:
            return _failed(exc)
        return errors.ok(data=render.resource(res))

    async def get_resource(self, id: str) -> Response:
        try:
            res = self._engine.resource(path_value(id))
        except RuleError as exc:
            return _failed(exc)
        return errors.ok(data=render.resource(res, self._nodes()))

    async def update_resource(self, id: str, body: Any = None) -> Response:
        body = body if isinstance(body, dict) else {}
        try:
            res = self._engine.update_resource(path_value(id), body)
        except RuleError as exc:
            return _failed(exc)
        return errors.ok(data=render.resource(res))

    async def start_resource(self, id: str) -> Response:
        try:
            self._engine.start_resource(path_value(id))
        except RuleError as exc:
            return _failed(exc)
        return errors.ok()

    async def get_resource_status(self, id: str) -> Response:
        try:
            res = self._engine.resource(path_value(id))
        except RuleError as exc:
            return _failed(exc)
        return errors.ok(data={"is_alive": res.alive})

    async def delete_resource(self, id: str) -> Response:
        try:
            self._engine.delete_resource(path_value(id))
        except RuleError as exc:
            return _failed(exc)
        return errors.ok()
