"""`emqx_rule_engine`: rules, actions, resources, resource types, rule events.

Read from `emqx_rule_engine_api.erl` (4.4.19). Refusals carry HTTP-like numbers inside an
HTTP 200 body: `{"code":400,"message":…}` (`Already Exists`, `Action X Not Found`,
`Rule X Not Found` for an update, `Bad Arguments: <term>`), `{"code":404,"message":"Not
Found"}` for a lookup of an unknown rule or resource, `{"code":404,"message":"SQL Not
Match"}` from the SQL test. Parameters are read as `parse_rule_params/2` reads them: in body
order, later keys winning, `id` included — a `PUT /rules/A` whose body names `"id":"B"`
updates rule B. Action and resource-type names are path atoms: an unknown one is the route's
404 `Not found.`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import World, rule_sql
from mqtt_api_kit.fixtures.rule_events import RULE_EVENTS, event_of, example_columns
from mqtt_api_kit.fixtures.rules import Rule, RuleEngine, RuleError, action_specs, sql_reason
from mqtt_api_kit.fixtures.terms import Atom

from ..paths import path_value
from . import errors, eterm, render
from .query import Page


def _bad_args(reason: Any) -> Response:
    return errors.error(400, "Bad Arguments: " + eterm.term(reason, maps=True))


def _failed(exc: RuleError) -> Response:
    """The API's words for the engine's refusals (`?ERR_*` macros of the API module)."""
    detail = exc.detail
    words = {
        "exists": "Already Exists",
        "action_not_found": f"Action {detail} Not Found",
        "rule_not_found": f"Rule {detail} Not Found",
        "resource_type_not_found": f"Resource Type {detail} Not Found",
        "resource_not_found": f"Resource {detail} Not Found",
    }
    if exc.kind == "bad_args":
        return _bad_args(detail)
    if exc.kind == "dependent_rules":
        ids = eterm.term(list(detail))
        return errors.error(400, f"Found rules {ids} depends on this resource, disable them first")
    if exc.kind == "init_failed":
        return errors.error(500, "Init resource failure!")
    return errors.error(400, words[exc.kind])


def _not_found() -> Response:
    return errors.error(404, "Not Found")


def _is_test(params: dict[str, Any], body: dict[str, Any]) -> bool:
    """`if_test/3`: `test` true or "true", from the query or the body."""
    value = params.get("test", body.get("test"))
    return value is True or value == "true"


def _rule_params(body: dict[str, Any], into: dict[str, Any]) -> dict[str, Any] | Response:
    """`parse_rule_params/2`: the keys it knows, in order; an empty `id` is refused."""
    for key, value in body.items():
        if key == "id" and value == "":
            return _bad_args((Atom("empty_string_not_allowed"), Atom("id")))
        if key == "actions":
            into[key] = action_specs(value)  # the document guarantees string names
        elif key in ("id", "rawsql", "enabled", "on_action_failed", "description"):
            into[key] = value
    return into


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
        """`list_rules/2` → `emqx_mgmt_api:node_query/5` over `?RULE_QS_SCHEMA`."""
        preds: list[Callable[[Rule], bool]] = []
        if "enabled" in params:  # an atom: only `true`/`false` can equal a rule's flag
            wanted = str(params["enabled"])
            preds.append(lambda r: wanted == ("true" if r.enabled else "false"))
        if "for" in params:  # matched against the whole topic list: never equal
            preds.append(lambda r: False)
        if "_like_id" in params:
            preds.append(lambda r: str(params["_like_id"]) in r.id)
        if "_like_for" in params:
            preds.append(lambda r: any(str(params["_like_for"]) in t for t in r.topics))
        if "_match_for" in params:
            pattern = str(params["_match_for"])
            preds.append(lambda r: any(rule_sql.topic_matches(t, pattern) for t in r.topics))
        if "_like_description" in params:
            needle = str(params["_like_description"])
            preds.append(lambda r: isinstance(r.description, str) and needle in r.description)
        rows = (r for r in self._engine.rules.values() if all(p(r) for p in preds))
        page = Page.from_params(params)
        taken, hasnext = page.take(rows)
        count = -1 if preds else len(self._engine.rules)
        nodes = self._nodes()
        data = [render.rule(r, nodes) for r in sorted(taken, key=lambda r: -r.created_at)]
        return errors.ok(data=data, meta=page.meta(count, hasnext))

    async def create_rule(self, body: Any = None, **params: Any) -> Response:
        body = body if isinstance(body, dict) else {}
        if _is_test(params, body):
            return self._test_sql(body)
        parsed = _rule_params(body, {"description": ""})
        if isinstance(parsed, Response):
            return parsed
        if "id" in parsed and parsed["id"] in self._engine.rules:
            return errors.error(400, "Already Exists")
        if "rawsql" not in parsed or "actions" not in parsed:
            # emqx_rule_engine:create_rule/1 matches #{rawsql := _, actions := _}: the broker
            # crashes (500); the mock answers as for other bad arguments
            return _bad_args(Atom("function_clause"))
        try:
            rule = self._engine.create_rule(
                parsed.get("id"),
                parsed["rawsql"],
                parsed["actions"],
                self.world.tick(),
                parsed.get("enabled", True),
                parsed["description"],
                parsed.get("on_action_failed", "continue"),
            )
        except RuleError as exc:
            return _failed(exc)
        return errors.ok(data=render.rule(rule, self._nodes()))

    def _test_sql(self, body: dict[str, Any]) -> Response:
        """`emqx_rule_sqltester:test/1`: the SQL on the request's `ctx`, completed with the
        event's example columns; a publish topic must match the FROM (else 404)."""
        if "rawsql" not in body:  # test/1's clause needs rawsql and ctx: the broker crashes
            return _bad_args(Atom("function_clause"))
        try:
            statement = rule_sql.parse(str(body["rawsql"]))
        except rule_sql.SqlError as exc:  # `{ok, Select} = parse_select(Sql)`: a crash too
            return _bad_args(sql_reason(exc))
        given = body.get("ctx")
        ctx: dict[str, Any] = given if isinstance(given, dict) else {}
        topics = statement.topics
        in_topic = str(ctx.get("topic", ""))
        publish_only = all(not t.startswith("$events/") for t in topics)
        if publish_only and not any(rule_sql.topic_matches(in_topic, t) for t in topics):
            return errors.error(404, "SQL Not Match")
        nodes = self._nodes()
        guid = f"{self.world.now:016X}{self.world.revision:016X}"
        event = event_of(topics[0]) if topics else RULE_EVENTS[0]
        base = example_columns(event, self.world.now, nodes[0] if nodes else "", guid)
        output = rule_sql.evaluate(statement, {**base, **ctx})
        if output is None:
            return errors.error(404, "SQL Not Match")
        return errors.ok(data=output)

    async def get_rule(self, id: str) -> Response:
        rule = self._engine.rule(path_value(id))
        return _not_found() if rule is None else errors.ok(data=render.rule(rule, self._nodes()))

    async def update_rule(self, id: str, body: Any = None) -> Response:
        parsed = _rule_params(body if isinstance(body, dict) else {}, {"id": path_value(id)})
        if isinstance(parsed, Response):
            return parsed
        target = parsed.pop("id")
        try:
            rule = self._engine.update_rule(target, parsed, self.world.tick())
        except RuleError as exc:
            return _failed(exc)
        return errors.ok(data=render.rule(rule, self._nodes()))

    async def delete_rule(self, id: str) -> Response:
        self._engine.delete_rule(path_value(id))
        return errors.ok()

    async def reset_rule_metrics(self, id: str) -> Response:
        self._engine.reset_metrics(path_value(id))
        return errors.ok()

    # -- catalogues ---------------------------------------------------------------------------

    async def list_actions(self) -> Response:
        """Sorted by English title (`sort_by_title/2`)."""
        actions = sorted(self._engine.action_types.values(), key=lambda a: a.title["en"].encode())
        return errors.ok(data=[render.action_type(a) for a in actions])

    async def get_action(self, name: str) -> Response:
        action = self._engine.action_types.get(name)
        if action is None:  # not an existing atom: the route does not match
            return errors.route_not_found()
        return errors.ok(data=render.action_type(action))

    async def list_resource_types(self) -> Response:
        kinds = sorted(self._engine.resource_types.values(), key=lambda t: t.title["en"].encode())
        return errors.ok(data=[render.resource_type(t) for t in kinds])

    async def get_resource_type(self, name: str) -> Response:
        kind = self._engine.resource_types.get(name)
        if kind is None:
            return errors.route_not_found()
        return errors.ok(data=render.resource_type(kind))

    async def list_resources_of_type(self, type: str) -> Response:
        if type not in self._engine.resource_types:
            return errors.route_not_found()
        found = [r for r in self._engine.resources.values() if r.type == type]
        return errors.ok(data=[render.resource(r) for r in found])

    async def list_rule_events(self) -> Response:
        return errors.ok(data=[render.rule_event(e) for e in RULE_EVENTS])

    # -- resources ---------------------------------------------------------------------------

    async def list_resources(self) -> Response:
        """Each with `status`: `is_resource_alive/1`, alive on every running node."""
        data = [{**render.resource(r), "status": r.alive} for r in self._engine.resources.values()]
        return errors.ok(data=data)

    async def create_resource(self, body: Any = None, **params: Any) -> Response:
        """`delegate_create_resource/2` → `parse_resource_params/2`."""
        body = body if isinstance(body, dict) else {}
        parsed: dict[str, Any] = {"config": {}, "description": ""}
        for key, value in body.items():
            if key == "id" and value == "":
                return _bad_args((Atom("empty_string_not_allowed"), Atom("id")))
            if key == "type" and value not in self._engine.resource_types:
                # binary_to_existing_atom fails for a name no module defines
                return _bad_args((Atom("resource_type_not_found"), value))
            if key in ("id", "type", "config", "description"):
                parsed[key] = value
        try:
            if _is_test(params, body):  # connectivity test: nothing is stored
                self._engine.check_resource(parsed["type"], parsed["config"])
                return errors.ok()
            res = self._engine.create_resource(
                parsed.get("id"),
                parsed["type"],
                parsed["config"],
                parsed["description"],
                self.world.tick(),
            )
        except RuleError as exc:
            return _failed(exc)
        return errors.ok(data=render.resource(res))

    async def get_resource(self, id: str) -> Response:
        res = self._engine.resource(path_value(id))
        if res is None:
            return _not_found()
        status = [{"node": n, "is_alive": res.alive} for n in self._nodes()]
        return errors.ok(data={**render.resource(res), "status": status})

    async def update_resource(self, id: str, body: Any = None) -> Response:
        """`delegate_update_resource/2`: `{"code":0}` only; an empty `config` object is none."""
        body = body if isinstance(body, dict) else {}
        changes = {k: body[k] for k in ("description", "config") if body.get(k) is not None}
        if changes.get("config") == {}:
            del changes["config"]
        res_id = path_value(id)
        try:
            self._engine.update_resource(res_id, changes, self.world.tick())
        except RuleError as exc:
            if exc.kind == "resource_not_found":
                return errors.error(400, f"Resource not found:{res_id}")
            return _failed(exc)
        return errors.ok()

    async def start_resource(self, id: str) -> Response:
        try:
            self._engine.start_resource(path_value(id))
        except RuleError as exc:
            return _failed(exc)
        return errors.ok()

    async def get_resource_status(self, id: str) -> Response:
        res = self._engine.resource(path_value(id))
        if res is None:
            return _failed(RuleError("resource_not_found", path_value(id)))
        return errors.ok(data={"is_alive": res.alive})

    async def delete_resource(self, id: str) -> Response:
        try:
            self._engine.delete_resource(path_value(id))
        except RuleError as exc:
            return _failed(exc)
        return errors.ok()
