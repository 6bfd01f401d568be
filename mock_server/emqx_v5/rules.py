"""`/rules…`, `/rule_test`, `/rule_events`, `/rule_engine`: emqx_rule_engine_api.erl (5.8.1).

Rules are the world's rule engine (`World.rule_engine`), the same rules EMQX 4.x lists: a
5.x rule's `sql` is 4.x's `rawsql`, `enable` its `enabled`, `from` its `for`. A 5.x action is
either a data-integration action named `<type>:<name>` (a reference) or a built-in function:
`republish` is 4.x's `republish` (`topic`/`qos`/`payload` are its `target_topic`/`target_qos`/
`payload_tmpl`) and `console` 4.x's `inspect`. A 4.x rule's other actions (`data_to_webserver`
…) have no 5.x form and are not shown here; they stay on the rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import World, rule_sql
from mqtt_api_kit.fixtures.rules import ActionMetrics, Rule, RuleAction, RuleError

from ..paths import path_value
from . import errors, paging, render
from .rule_events import EVENTS

_REFERENCE = re.compile(r"^[a-z0-9_]+:[A-Za-z0-9_.-]+$")


def action_out(action: RuleAction) -> Any:
    """format_action/1: a reference is its id, a function `{function, args}`."""
    if action.kind == "reference":
        return action.name
    if action.name == "republish":
        p = action.params
        return {
            "function": "republish",
            "args": {
                "topic": p.get("target_topic", p.get("topic", "")),
                "qos": p.get("target_qos", p.get("qos", "${qos}")),
                "retain": p.get("retain", False),
                "payload": p.get("payload_tmpl", p.get("payload", "")),
                "mqtt_properties": p.get("mqtt_properties", {}),
                "user_properties": p.get("user_properties", ""),
                "direct_dispatch": p.get("direct_dispatch", False),
            },
        }
    if action.name == "inspect":
        return {"function": "console"}
    return None  # a 4.x action type 5.x does not have


def rule_out(rule: Rule) -> dict[str, Any]:
    """format_rule_info_resp/1."""
    actions = [a for a in (action_out(x) for x in rule.actions) if a is not None]
    return {
        "actions": actions,
        "created_at": render.rfc3339_ms(rule.created_at),
        "description": rule.description,
        "enable": rule.enabled,
        "from": list(rule.topics),
        "id": rule.id,
        "name": rule.name,
        "sql": rule.rawsql,
    }


def metrics_out(rule: Rule) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    for node, m in rule.metrics.items():
        taken = sum(a.metrics[node].taken for a in rule.actions if node in a.metrics)
        ok = sum(a.metrics[node].success for a in rule.actions if node in a.metrics)
        bad = sum(a.metrics[node].failed for a in rule.actions if node in a.metrics)
        rows.append(
            {
                "node": node,
                "metrics": {
                    "matched": m.matched,
                    "passed": m.passed,
                    "failed": m.failed,
                    "failed.exception": m.exception,
                    "failed.no_result": m.no_result,
                    "actions.total": taken,
                    "actions.failed": bad,
                    "actions.failed.out_of_service": 0,
                    "actions.failed.unknown": bad,
                    "actions.success": ok,
                    "actions.discarded": 0,
                    "matched.rate": m.speed,
                    "matched.rate.max": m.speed_max,
                    "matched.rate.last5m": m.speed_last5m,
                },
            }
        )
    total: dict[str, Any] = {}
    for row in rows:
        counters: dict[str, Any] = row["metrics"]
        for key, value in counters.items():
            total[key] = total.get(key, 0) + value
    if not rows:
        total = dict.fromkeys(
            (
                "matched passed failed failed.exception failed.no_result actions.total "
                "actions.failed actions.failed.out_of_service actions.failed.unknown "
                "actions.success actions.discarded matched.rate matched.rate.max "
                "matched.rate.last5m"
            ).split(),
            0,
        )
    return {"id": rule.id, "metrics": total, "node_metrics": rows}


# The `?like_*`, `match_from` and `from` filters of emqx_rule_engine_api:'/rules'/2.
_FILTERS: tuple[tuple[str, Callable[[Rule, str], bool]], ...] = (
    ("like_id", lambda r, v: v in r.id),
    ("like_from", lambda r, v: any(v in t for t in r.topics)),
    ("like_description", lambda r, v: v in r.description),
    ("match_from", lambda r, v: any(rule_sql.topic_matches(t, v) for t in r.topics)),
    ("from", lambda r, v: v in r.topics),
)


def _reason(exc: RuleError) -> str:
    """The message a refused 5.x rule write answers: the engine's words where it has them."""
    return exc.detail if isinstance(exc.detail, str) else exc.kind


def _bad(reason: str) -> Response:
    return errors.bad_request(reason)


class RulesApi:
    def __init__(self, world: World) -> None:
        self.world = world

    def _actions(self, specs: Any, now: int, old: list[RuleAction]) -> list[RuleAction]:
        """5.x action specs as rule actions; a 4.x-only action of an updated rule stays."""
        kept = [a for a in old if action_out(a) is None]
        made: list[RuleAction] = []
        for i, spec in enumerate(specs or []):
            metrics = {n: ActionMetrics() for n in self.world.rule_engine.nodes}
            if isinstance(spec, str):
                if not _REFERENCE.match(spec):
                    raise RuleError("bad_request", f"invalid_action_id: {spec}")
                made.append(RuleAction(f"{spec}_{now}{i}", spec, {}, [], metrics, "reference"))
                continue
            function = str(spec.get("function", ""))
            args = dict(spec.get("args") or {})
            if function == "republish":
                params = {
                    "target_topic": args.get("topic", ""),
                    "target_qos": args.get("qos", "${qos}"),
                    "payload_tmpl": args.get("payload", ""),
                    **{k: v for k, v in args.items() if k not in ("topic", "qos", "payload")},
                }
                made.append(RuleAction(f"republish_{now}{i}", "republish", params, [], metrics))
            elif function == "console":
                made.append(RuleAction(f"inspect_{now}{i}", "inspect", {}, [], metrics))
            else:
                raise RuleError("bad_request", f"unknown_action: {function}")
        return made + kept

    def _build(self, rule_id: str, body: dict[str, Any], old: Rule | None, now: int) -> Rule:
        sql = body.get("sql", old.rawsql if old else None)
        if not isinstance(sql, str):
            raise RuleError("bad_request", "missing sql")
        try:
            statement = rule_sql.parse(sql)
        except rule_sql.SqlError as exc:
            raise RuleError("bad_request", f"{{parse_error,{exc}}}") from exc
        return Rule(
            id=rule_id,
            rawsql=sql,
            topics=statement.topics,
            actions=self._actions(body.get("actions", []), now, old.actions if old else []),
            enabled=bool(body.get("enable", True)),
            description=str(body.get("description", "")),
            on_action_failed=old.on_action_failed if old else "continue",
            created_at=old.created_at if old else now,
            metrics=old.metrics if old else {},
            name=str(body.get("name", "")),
        )

    def _rule(self, rule_id: str) -> Rule | None:
        return self.world.rule_engine.rules.get(rule_id)

    async def list_rules(self, **query: Any) -> Response:
        """`'/rules'(get, …)`: emqx_mgmt_api:node_query/6 over the rule table; `count` only
        when no fuzzy filter (`like_*`, `match_from`, `from`, `action`, `source`) is given."""
        page, limit = paging.params(query)
        rows = list(self.world.rule_engine.rules.values())
        enable = query.get("enable")
        if enable is not None:
            rows = [r for r in rows if r.enabled is bool(enable)]
        for key, test in _FILTERS:
            value = query.get(key)
            if value is not None:
                rows = [r for r in rows if test(r, str(value))]
        for key in ("action", "source"):
            wanted = query.get(key)
            if wanted is not None:
                ids = wanted if isinstance(wanted, list) else [wanted]
                if key == "action":
                    rows = [r for r in rows if any(a.name in ids for a in r.actions)]
                else:
                    hooks = {f"$bridges/{i}" for i in ids} | {f"$sources/{i}" for i in ids}
                    rows = [r for r in rows if hooks & set(r.topics)]
        fuzzy = any(
            query.get(k) is not None
            for k in (
                "like_id",
                "like_from",
                "like_description",
                "match_from",
                "from",
                "action",
                "source",
            )
        )
        taken, hasnext = paging.page_of(rows, page, limit)
        count = None if fuzzy else len(rows)
        data = [rule_out(r) for r in taken]
        return errors.ok({"data": data, "meta": paging.meta(page, limit, hasnext, count)})

    async def create_rule(self, body: dict[str, Any]) -> Response:
        rule_id = body.get("id")
        if rule_id is None:
            rule_id = self.world.rule_engine.new_id()
        if rule_id == "":
            return _bad("empty rule id is not allowed")
        if not isinstance(rule_id, str):
            return _bad("rule id must be a string")
        if self._rule(rule_id) is not None:
            return _bad("rule id already exists")
        try:
            rule = self._build(rule_id, body, None, self.world.now)
            stored = self.world.rule_engine.put_rule(rule, create=True)
        except RuleError as exc:
            return _bad(_reason(exc))
        return errors.ok(rule_out(stored), 201)

    async def get_rule(self, id: str) -> Response:
        rule = self._rule(path_value(id))
        if rule is None:
            return errors.not_found("Rule Id Not Found")
        return errors.ok(rule_out(rule))

    async def update_rule(self, id: str, body: dict[str, Any]) -> Response:
        """`'/rules/:id'(put, …)`: emqx_conf:update/3 of the rule's path — it creates a rule
        that does not exist, as a config update does."""
        rule_id = path_value(id)
        old = self._rule(rule_id)
        try:
            rule = self._build(rule_id, body, old, self.world.now)
            stored = self.world.rule_engine.put_rule(rule, create=old is None)
        except RuleError as exc:
            return _bad(_reason(exc))
        return errors.ok(rule_out(stored))

    async def delete_rule(self, id: str) -> Response:
        if not self.world.rule_engine.delete_rule(path_value(id)):
            return errors.not_found("Rule Id Not Found")
        return errors.no_content()

    async def get_rule_metrics(self, id: str) -> Response:
        rule = self._rule(path_value(id))
        if rule is None:
            return errors.not_found("Rule Id Not Found")
        return errors.ok(metrics_out(rule))

    async def reset_rule_metrics(self, id: str) -> Response:
        if not self.world.rule_engine.reset_metrics(path_value(id)):
            return errors.not_found("Rule Id Not Found")
        return errors.no_content()

    def _tested(self, sql: str, context: dict[str, Any]) -> Response:
        try:
            statement = rule_sql.parse(sql)
        except rule_sql.SqlError as exc:
            return _bad(f"{{parse_error,{exc}}}")
        event = statement.topics[0] if statement.topics[0].startswith("$events/") else None
        base: dict[str, Any] = {
            "clientid": "c_emqx",
            "username": "u_emqx",
            "topic": "t/a",
            "qos": 1,
            "payload": '{"msg":"hello"}',
            "peerhost": "127.0.0.1",
            "event_type": "message_publish",
            "event": event or "message.publish",
            "node": (self.world.cluster.running_names() or ["emqx@127.0.0.1"])[0],
            "timestamp": self.world.now,
        }
        output = rule_sql.evaluate(statement, {**base, **context})
        if output is None:
            return errors.error(412, "NOT_MATCH", "SQL Not Match")
        return errors.ok(output)

    async def test_rule_sql(self, body: dict[str, Any]) -> Response:
        """emqx_rule_sqltester:test/1: the SQL's output for a made-up event (`context`)."""
        given = body.get("context")
        context: dict[str, Any] = given if isinstance(given, dict) else {}
        return self._tested(str(body["sql"]), context)

    async def test_rule(self, id: str, body: dict[str, Any]) -> Response:
        """emqx_rule_sqltester:apply_rule/2: the rule's SQL over `context`."""
        rule = self._rule(path_value(id))
        if rule is None:
            return errors.error(404, "RULE_NOT_FOUND", "The rule could not be found")
        given = body.get("context")
        context: dict[str, Any] = given if isinstance(given, dict) else {}
        return self._tested(rule.rawsql, context)

    async def list_rule_events(self) -> Response:
        return errors.ok(EVENTS)

    def _engine(self) -> dict[str, Any]:
        stored: dict[str, Any] = self.world.settings.get("rule_engine")
        return stored

    async def get_rule_engine(self) -> Response:
        return errors.ok(self._engine())

    async def update_rule_engine(self, body: dict[str, Any]) -> Response:
        conf = {**self._engine(), **body}
        timeout = conf.get("jq_function_default_timeout")
        if isinstance(timeout, str):  # emqx_conf:get/1 answers a checked value: ms
            ms = _duration_ms(timeout)
            if ms is None:
                return _bad(f"bad duration: {timeout}")
            conf["jq_function_default_timeout"] = ms
        self.world.settings.replace("rule_engine", conf)
        return errors.ok(conf)


def _duration_ms(text: str) -> int | None:
    match = re.fullmatch(r"(\d+)(ms|s|m|h|d)?", text.strip())
    if match is None:
        return None
    factor = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}
    return int(match.group(1)) * factor[match.group(2) or "ms"]
