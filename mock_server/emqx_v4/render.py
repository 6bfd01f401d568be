"""Records of the plugin-owned stores → EMQX 4.4 JSON (the core records are in serialize.py).

Shapes the reference sheet does not give are the mock's reading of the 4.4 sources and the
EMQX Cloud examples; the OpenAPI document says which is which.
"""

from __future__ import annotations

import time
from typing import Any

from mqtt_api_kit.fixtures.auth_db import AclRule, Credential
from mqtt_api_kit.fixtures.console import App, DashboardUser
from mqtt_api_kit.fixtures.diagnostics import SlowSub, TopicMetric, Trace
from mqtt_api_kit.fixtures.gateways import Lwm2mEndpoint, ScramCredential
from mqtt_api_kit.fixtures.rule_catalog import ActionType, ResourceType
from mqtt_api_kit.fixtures.rule_events import RuleEvent
from mqtt_api_kit.fixtures.rules import ActionMetrics, Resource, Rule, RuleAction, RuleMetrics

from . import eterm


def message(text: object) -> dict[str, Any]:
    """An error the broker returns without a code (`minirest:return({error, Reason})`)."""
    return {"message": text}


def rfc3339(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(seconds))


# -- built-in auth database ------------------------------------------------------------------


def credential(cred: Credential) -> dict[str, Any]:
    """`emqx_auth_mnesia_api:format/1`: the login and `created_at`, never the password."""
    return {cred.kind: cred.login, "created_at": cred.created_at}


def acl_rule(rule: AclRule) -> dict[str, Any]:
    """`emqx_acl_mnesia_api:format/1` (no `created_at`)."""
    who: dict[str, Any] = {"all": "$all"} if rule.kind == "all" else {rule.kind: rule.login}
    return {**who, "topic": rule.topic, "action": rule.action, "access": rule.access}


def erl_map(value: eterm.ErlMap) -> dict[str, Any]:
    """A handler's map as jiffy writes it: atoms become strings (but `null`, booleans)."""
    return {k.name: _json_value(v) for k, v in value.items}


def _json_value(value: Any) -> Any:
    return value.name if isinstance(value, eterm.Atom) else value


def cloud_user(cred: Credential) -> dict[str, Any]:
    return {"login": cred.login, "password": cred.password_hash, "is_superuser": cred.is_superuser}


def cloud_acl(rule: AclRule) -> dict[str, Any]:
    return {
        "login": rule.login,
        "topic": rule.topic,
        "action": rule.action,
        "allow": rule.access == "allow",
    }


# -- rule engine -----------------------------------------------------------------------------
# `emqx_rule_engine_api:record_to_map/1` and `printable_actions/1` (4.4.19): metrics are asked
# of every running node (`get_rule_metrics/1`, `get_action_metrics/1`); a node that has no
# counters for the id reports zeros.


def _rule_metrics(node: str, m: RuleMetrics) -> dict[str, Any]:
    return {
        "node": node,
        "matched": m.matched,
        "failed": m.failed,
        "passed": m.passed,
        "exception": m.exception,
        "no_result": m.no_result,
        "speed": m.speed,
        "speed_max": m.speed_max,
        "speed_last5m": m.speed_last5m,
    }


def rule_action(action: RuleAction, nodes: list[str]) -> dict[str, Any]:
    return {
        "id": action.id,
        "name": action.name,
        "params": action.params,
        "metrics": [
            {"node": n, "success": m.success, "failed": m.failed, "taken": m.taken}
            for n in nodes
            for m in [action.metrics.get(n, ActionMetrics())]
        ],
        "fallbacks": [rule_action(f, nodes) for f in action.fallbacks],
    }


def rule(r: Rule, nodes: list[str]) -> dict[str, Any]:
    return {
        "id": r.id,
        "for": list(r.topics),
        "rawsql": r.rawsql,
        "actions": [rule_action(a, nodes) for a in r.actions],
        "on_action_failed": r.on_action_failed,
        "metrics": [_rule_metrics(n, r.metrics.get(n, RuleMetrics())) for n in nodes],
        "enabled": r.enabled,
        "created_at": r.created_at,
        "description": r.description,
    }


def action_type(a: ActionType) -> dict[str, Any]:
    return {
        "name": a.name,
        "category": a.category,
        "app": a.app,
        "for": a.for_,
        "types": list(a.types),
        "params": a.params,
        "title": a.title,
        "description": a.description,
    }


def resource_type(t: ResourceType) -> dict[str, Any]:
    return {
        "name": t.name,
        "provider": t.provider,
        "params": t.params,
        "title": t.title,
        "description": t.description,
    }


def resource(r: Resource) -> dict[str, Any]:
    return {"id": r.id, "type": r.type, "config": r.config, "description": r.description}


def rule_event(e: RuleEvent) -> dict[str, Any]:
    """`emqx_rule_events:event_info_common/4`."""
    return {
        "event": e.topic,
        "title": e.title,
        "description": e.description,
        "test_columns": e.test_columns,
        "columns": list(e.columns),
        "sql_example": e.sql_example,
    }


# -- dashboard listener ----------------------------------------------------------------------


def dashboard_user(user: DashboardUser) -> dict[str, Any]:
    return {"username": user.username, "tags": user.tags}


def app(a: App, secret: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {"app_id": a.app_id}
    if secret:
        body["secret"] = a.secret
    body.update(
        name=a.name,
        desc=a.desc,
        status=a.status,
        expired=a.expired,
    )
    return body


# -- diagnostics ----------------------------------------------------------------------------


def topic_counters(m: TopicMetric) -> dict[str, Any]:
    """`emqx_mod_topic_metrics:metrics/1`: `<metric>.count` and `<metric>.rate` pairs."""
    metrics: dict[str, Any] = {}
    for key, count in m.counts.items():
        metrics[key] = count
        metrics[key.replace(".count", ".rate")] = m.rates.get(key, 0.0)
    return metrics


def topic_metric(m: TopicMetric) -> dict[str, Any]:
    return {"topic": m.topic, "metrics": topic_counters(m)}


def trace(t: Trace, status: str, log_size: dict[str, int]) -> dict[str, Any]:
    """`emqx_trace_api:list_trace/2`: the record without `enable`/`filter`, the filter under
    its type's name, RFC 3339 times (the node's zone: UTC here)."""
    return {
        "name": t.name,
        "type": t.type,
        t.type: t.filter,
        "start_at": rfc3339(t.start_at),
        "end_at": rfc3339(t.end_at),
        "status": status,
        "log_size": log_size,
    }


def slow_sub(s: SlowSub) -> dict[str, Any]:
    return {
        "clientid": s.clientid,
        "topic": s.topic,
        "node": s.node,
        "timespan": s.timespan,
        "last_update_time": s.last_update_time,
    }


# -- gateways -------------------------------------------------------------------------------


# The object definitions apps/emqx_lwm2m/lwm2m_xml holds in 4.4.19 (`get_object_name/1`);
# any other object (4, 3303…) is named by its path.
LWM2M_OBJECTS = {
    "0": "LWM2M Security",
    "1": "LwM2M Server",
    "2": "LwM2M Access Control",
    "3": "Device",
    "5": "Firmware Update",
    "6": "Location",
    "7": "Connectivity Statistics",
}


def lwm2m_channel(ep: Lwm2mEndpoint) -> dict[str, Any]:
    """`emqx_lwm2m_api:format/1`: an unknown object is named by its path."""
    objects = {p: LWM2M_OBJECTS.get(p.strip("/").split("/")[0], p) for p in ep.objects}
    return {
        "imei": ep.endpoint_name,
        "lifetime": ep.lifetime,
        "ip_address": ep.ip_address,
        "port": ep.port,
        "version": ep.version,
        "objectList": objects,
    }


def scram(cred: ScramCredential) -> dict[str, Any]:
    """`emqx_sasl_scram:lookup/1`, the salt decoded back to what was given."""
    return {
        "username": cred.username,
        "stored_key": cred.stored_key,
        "server_key": cred.server_key,
        "salt": cred.salt,
        "iteration_count": cred.iteration_count,
    }
