"""`/prometheus…` and `/status`: emqx_prometheus_api.erl, emqx_prometheus.erl and
emqx_mgmt_api_status.erl (5.8.1) over the world.

A scrape (`/prometheus/stats`) answers Prometheus text unless the request's `Accept` is
exactly `application/json` (`response_type/1`). `mode` picks the node's own families (`node`,
the default and the answer to any unknown mode), every node's summed (`all_nodes_aggregated`)
or every node's labelled `node="…"` (`all_nodes_unaggregated`) — `emqx_prometheus_cluster`.
The families are `emqx_prometheus:collect_mf/2`'s, in its order, named by its `*_metric_meta/0`
tables and read from the same counters `GET /metrics` and `GET /stats` show. The certificate,
Mria and license families are left out: the world holds no certificates, no Mria shards, and
the open-source edition has no license. `/prometheus/auth` and `/prometheus/data_integration`
are the authenticator/authorizer and rule/action families
(emqx_prometheus_auth.erl, emqx_prometheus_data_integration.erl).

The scrapes need no credentials while the `prometheus` root's `enable_basic_auth` is false
(`emqx_prometheus_api:security/0`); `routes.OpenRoutes` reads that switch per request.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any, cast

import connexion
from starlette.responses import Response

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.fixtures.settings import DEFAULTS

from ..http import json_response, text_response
from . import errors
from .authn import authenticator_id
from .cluster import VERSION, metrics, stats

__all__ = ["SCRAPES", "PrometheusApi", "status_answer"]

MODES = ("node", "all_nodes_aggregated", "all_nodes_unaggregated")
SCRAPES = ("/prometheus/stats", "/prometheus/auth", "/prometheus/data_integration")

# stats_metric_meta/0 and stats_metric_cluster_consistented_meta/0: family → `emqx_stats` key.
_STATS = (
    "connections.count connections.max live_connections.count live_connections.max "
    "sessions.count sessions.max channels.count channels.max suboptions.count suboptions.max "
    "subscribers.count subscribers.max subscriptions.count subscriptions.max "
    "durable_subscriptions.count durable_subscriptions.max delayed.count delayed.max"
).split()
_CLUSTER_STATS = (
    "cluster_sessions.count cluster_sessions.max topics.max topics.count retained.count "
    "retained.max subscriptions.shared.count subscriptions.shared.max"
).split()
# The metric families (emqx_packet_metric_meta/0 … olp_metric_meta/0): family → counter, where
# the family's name is not simply the counter's with `_` for `.`.
_FAMILY_NAMES = {
    "packets.connect.received": "emqx_packets_connect",
    "messages.dropped.await_pubrel_timeout": "emqx_messages_dropped_expired",
}
_PACKETS = (
    "bytes.received bytes.sent packets.received packets.sent packets.connect.received "
    "packets.connack.sent packets.connack.error packets.connack.auth_error "
    "packets.subscribe.received packets.subscribe.auth_error packets.subscribe.error "
    "packets.suback.sent packets.unsubscribe.received packets.unsubscribe.error "
    "packets.unsuback.sent packets.publish.received packets.publish.sent packets.publish.inuse "
    "packets.publish.error packets.publish.auth_error packets.publish.dropped "
    "packets.puback.received packets.puback.sent packets.puback.inuse packets.puback.missed "
    "packets.pubrec.received packets.pubrec.sent packets.pubrec.inuse packets.pubrec.missed "
    "packets.pubrel.received packets.pubrel.sent packets.pubrel.missed "
    "packets.pubcomp.received packets.pubcomp.sent packets.pubcomp.inuse "
    "packets.pubcomp.missed packets.pingreq.received packets.pingresp.sent "
    "packets.disconnect.received packets.disconnect.sent packets.auth.received "
    "packets.auth.sent"
).split()
_MESSAGES = (
    "messages.received messages.sent messages.qos0.received messages.qos0.sent "
    "messages.qos1.received messages.qos1.sent messages.qos2.received messages.qos2.sent "
    "messages.publish messages.dropped messages.dropped.await_pubrel_timeout "
    "messages.dropped.no_subscribers messages.forward messages.retained messages.delayed "
    "messages.delivered messages.acked"
).split()
_DELIVERY = (
    "delivery.dropped delivery.dropped.no_local delivery.dropped.too_large "
    "delivery.dropped.qos0_msg delivery.dropped.queue_full delivery.dropped.expired"
).split()
_CLIENT = (
    "client.connect client.connack client.connected client.authenticate client.auth.anonymous "
    "client.authorize client.subscribe client.unsubscribe client.disconnected"
).split()
_SESSION = (
    "session.created session.resumed session.takenover session.discarded session.terminated"
).split()
_ACL = (
    "authorization.allow authorization.deny authorization.cache_hit authorization.cache_miss "
    "authorization.superuser authorization.nomatch authorization.matched_allow "
    "authorization.matched_deny"
).split()
_AUTHN = ("authentication.success authentication.success.anonymous authentication.failure").split()
_OLP = (
    "overload_protection.delay.ok overload_protection.delay.timeout "
    "overload_protection.hibernation overload_protection.gc overload_protection.new_conn"
).split()
# collect(<<"json">>): the JSON sections, each the families of one meta table.
_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("packets", tuple(_PACKETS)),
    ("messages", tuple(_MESSAGES)),
    ("delivery", tuple(_DELIVERY)),
    ("client", tuple(_CLIENT)),
    ("session", tuple(_SESSION)),
    ("olp", tuple(_OLP)),
    ("acl", tuple(_ACL)),
    ("authn", tuple(_AUTHN)),
)
_VM = (
    ("emqx_vm_cpu_use", "cpu_use"),
    ("emqx_vm_cpu_idle", "cpu_idle"),
    ("emqx_vm_run_queue", "run_queue"),
    ("emqx_vm_process_messages_in_queues", "process_total_messages"),
    ("emqx_vm_total_memory", "total_memory"),
    ("emqx_vm_used_memory", "used_memory"),
)


def family(counter: str) -> str:
    return _FAMILY_NAMES.get(counter, "emqx_" + counter.replace(".", "_"))


Row = dict[str, float]  # family → value, for one node


class _Scrape:
    """The families of one scrape, node by node: what text and JSON are rendered from."""

    def __init__(self, world: World, mode: str) -> None:
        self.world, self.mode = world, mode
        running = world.cluster.running_names()
        self.nodes = running[:1] if mode == "node" else running

    def _node_metrics(self, node: str) -> dict[str, int]:
        row = metrics(self.world, node)
        counters = self.world.cluster.metrics(node)
        for name in _MESSAGES + _ACL:  # counters the /metrics list leaves out
            row.setdefault(name, int(counters.get(name, 0)))
        return row

    def stats(self) -> list[tuple[str, Row, Row]]:
        """Per node: (node, its own gauges, the cluster-consistent ones)."""
        out = []
        for node in self.nodes:
            gauges = stats(self.world, node)
            own = {family(k): float(gauges.get(k, 0)) for k in _STATS}
            shared = {family(k): float(gauges.get(k, 0)) for k in _CLUSTER_STATS}
            out.append((node, own, shared))
        return out

    def vm(self) -> list[tuple[str, Row]]:
        out = []
        for node in self.nodes:
            entry = self.world.node(node)
            total = float(entry.memory_total) if entry is not None else 0.0
            used = float(entry.memory_used) if entry is not None else 0.0
            load = float(entry.load[0]) if entry is not None else 0.0
            values = {
                "cpu_use": round(min(100.0, load * 25), 2),
                "cpu_idle": round(max(0.0, 100 - load * 25), 2),
                "run_queue": 0.0,
                "process_total_messages": 0.0,
                "total_memory": total,
                "used_memory": used,
            }
            out.append((node, {name: values[key] for name, key in _VM}))
        return out

    def cluster(self) -> Row:
        running = len(self.world.cluster.running_names())
        return {
            "emqx_cluster_nodes_running": float(running),
            "emqx_cluster_nodes_stopped": float(len(self.world.nodes) - running),
        }

    def section(self, counters: Iterable[str]) -> list[tuple[str, Row]]:
        names = list(counters)
        out = []
        for node in self.nodes:
            row = self._node_metrics(node)
            out.append((node, {family(n): float(row.get(n, 0)) for n in names}))
        return out


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def _text(families: list[tuple[str, str, list[tuple[str, Row]]]], mode: str) -> str:
    """prometheus_text_format:format/1: `# TYPE`, then one sample per node (labelled in the
    unaggregated mode, summed in the aggregated one)."""
    lines: list[str] = []
    for kind, name, rows in families:
        lines.append(f"# TYPE {name} {kind}")
        lines.append(f"# HELP {name} ")
        if mode == "all_nodes_unaggregated":
            lines += [f'{name}{{node="{node}"}} {_number(row[name])}' for node, row in rows]
        elif mode == "all_nodes_aggregated":
            lines.append(f"{name} {_number(sum(row[name] for _, row in rows))}")
        elif rows:
            lines.append(f"{name} {_number(rows[0][1][name])}")
    return "\n".join(lines) + "\n"


def _summed(rows: list[tuple[str, Row]]) -> Row:
    total: Row = {}
    for _, row in rows:
        for key, value in row.items():
            total[key] = total.get(key, 0.0) + value
    return total


def _json_rows(rows: list[tuple[str, Row]], mode: str, listed: bool = False) -> Any:
    """json_obj_or_array/1: one object in `node` mode and (summed) in the aggregated one, one
    per node with its `node` unaggregated. `listed`: collect_vm_json_data/1, a list in every
    mode but `node`."""
    if mode == "all_nodes_unaggregated":
        return [{**row, "node": node} for node, row in rows]
    one = (rows[0][1] if rows else {}) if mode == "node" else _summed(rows)
    return [one] if listed and mode != "node" else one


class PrometheusApi:
    def __init__(self, world: World) -> None:
        self.world = world

    async def get_prometheus(self) -> Response:
        return errors.ok(self.world.settings.get("prometheus"))

    async def update_prometheus(self, body: dict[str, Any]) -> Response:
        """emqx_prometheus_config:update/1: the root replaced by the (checked) body, its
        defaults filled in as the schema check does."""
        tree = _merged(DEFAULTS["prometheus"], body if _recommended(body) else _converted(body))
        self.world.settings.replace("prometheus", tree)
        return errors.ok(tree)

    def _answer(self, accept: str | None, text: str, data: Any) -> Response:
        if accept == "application/json":  # response_type/1: that exact header only
            return errors.ok(data)
        return text_response(text, 200)

    async def get_prometheus_stats(self, mode: str = "node", **_: Any) -> Response:
        mode = mode if mode in MODES else "node"
        scrape = _Scrape(self.world, mode)
        stat_rows = scrape.stats()
        own = [(node, row) for node, row, _ in stat_rows]
        shared = [(node, row) for node, _, row in stat_rows]
        families: list[tuple[str, str, list[tuple[str, Row]]]] = []
        families += [("gauge", family(k), own) for k in _STATS]
        # Cluster-consistent gauges are the same on every node: one sample, never labelled.
        consistent = shared[:1]
        vm = scrape.vm()
        families += [("gauge", name, vm) for name, _ in _VM]
        sections = {key: scrape.section(names) for key, names in _SECTIONS}
        text = _text(families, mode)
        text += _text([("gauge", family(k), consistent) for k in _CLUSTER_STATS], "node")
        text += _text(
            [("gauge", name, [("", scrape.cluster())]) for name in scrape.cluster()], "node"
        )
        for key, names in _SECTIONS:
            text += _text([("counter", family(n), sections[key]) for n in names], mode)
        # collect_stats_json_data/2: each node's gauges with the cluster-consistent ones.
        if mode == "all_nodes_aggregated":
            own = [("", _summed(own))]
        merged = [(node, {**row, **shared[0][1]}) for node, row in own] if shared else own
        data: dict[str, Any] = {
            "stats": _json_rows(merged, mode),
            "metrics": _json_rows(vm, mode, listed=True),
            **{key: _json_rows(sections[key], mode) for key, _ in _SECTIONS},
            "cluster": scrape.cluster(),
            "certs": [],
        }
        return self._answer(_accept(), text, data)

    async def get_prometheus_auth(self, mode: str = "node", **_: Any) -> Response:
        """emqx_prometheus_auth: authenticators' and authorizers' counts and statuses."""
        # Every family here is cluster-consistent (the same on every node): `mode` changes
        # nothing.
        chain = self.world.settings.get("authentication") or []
        sources = (self.world.settings.get("authorization") or {}).get("sources", [])
        # An enabled provider's resource is up (the world's backends are reachable): its
        # status gauge is 1 exactly when it is enabled.
        authn = [
            {"id": authenticator_id(a), "enable": 1 if a.get("enable", True) else 0} for a in chain
        ]
        authz = [
            {"type": str(s.get("type", "")), "enable": 1 if s.get("enable", True) else 0}
            for s in sources
        ]
        families: list[tuple[str, list[tuple[str, int]]]] = [
            ("emqx_authn_enable", [(f'id="{a["id"]}"', int(a["enable"])) for a in authn]),
            ("emqx_authn_status", [(f'id="{a["id"]}"', int(a["enable"])) for a in authn]),
            ("emqx_authz_enable", [(f'type="{a["type"]}"', int(a["enable"])) for a in authz]),
            ("emqx_authz_status", [(f'type="{a["type"]}"', int(a["enable"])) for a in authz]),
        ]
        lines: list[str] = []
        for name, samples in families:
            lines += [f"# TYPE {name} gauge", f"# HELP {name} "]
            lines += [f"{name}{{{label}}} {value}" for label, value in samples]
        for row in authn:
            row["status"] = row["enable"]
        for row in authz:
            row["status"] = row["enable"]
        data = {
            "emqx_authn": authn,
            "emqx_authz": authz,
            "emqx_banned": {"emqx_banned_count": len(self.world.banned)},
        }
        lines += ["# TYPE emqx_banned_count gauge", "# HELP emqx_banned_count "]
        lines.append(f"emqx_banned_count {len(self.world.banned)}")
        return self._answer(_accept(), "\n".join(lines) + "\n", data)

    async def get_prometheus_data_integration(self, mode: str = "node", **_: Any) -> Response:
        """emqx_prometheus_data_integration: rule, action and connector counts and states."""
        rules = list(self.world.rule_engine.rules.values())
        integration = self.world.integration
        actions = list(integration.items("action"))
        connectors = list(integration.items("connector"))
        counts = {
            "emqx_rules_count": len(rules),
            "emqx_actions_count": len(actions),
            "emqx_connectors_count": len(connectors),
            "emqx_schema_registrys_count": 0,
        }
        lines: list[str] = []
        for name, value in counts.items():
            lines += [f"# TYPE {name} gauge", f"# HELP {name} ", f"{name} {value}"]
        enabled = [(f'id="{r.id}"', 1 if r.enabled else 0) for r in rules]
        lines += ["# TYPE emqx_rule_enable gauge", "# HELP emqx_rule_enable "]
        lines += [f"emqx_rule_enable{{{label}}} {value}" for label, value in enabled]
        status = [
            (f'id="connector:{c.type}:{c.name}"', 1 if integration.status(c) == "connected" else 0)
            for c in connectors
        ]
        lines += ["# TYPE emqx_connector_status gauge", "# HELP emqx_connector_status "]
        lines += [f"emqx_connector_status{{{label}}} {value}" for label, value in status]
        data = {
            **counts,
            "rules": [{"id": r.id, "emqx_rule_enable": 1 if r.enabled else 0} for r in rules],
            "connectors": [
                {"id": f"connector:{c.type}:{c.name}", "emqx_connector_status": v}
                for c, (_, v) in zip(connectors, status, strict=True)
            ],
        }
        return self._answer(_accept(), "\n".join(lines) + "\n", data)

    # -- /status ---------------------------------------------------------------------------

    async def get_status(self, format: str = "text", **_: Any) -> Response:
        return status_answer(self.world, format)


def status_answer(world: World, format: str) -> Response:
    """emqx_mgmt_api_status:running_status/1 for the node that answers: 200 while it runs
    (503 once every node is stopped), JSON for `format=json`, else text."""
    running = world.cluster.running_names()
    node = running[0] if running else (world.nodes[0].name if world.nodes else "emqx@127.0.0.1")
    app = "running" if running else "not_running"
    broker = "started" if running else "stopped"
    code = 200 if running else 503
    headers = {"retry-after": "15"}
    if format == "json":
        body = {"node_name": node, "rel_vsn": f"v{VERSION}", "broker_status": broker,
                "app_status": app}  # fmt: skip
        return json_response(body, code, headers)
    return text_response(f"Node {node} is {broker}\nemqx is {app}", code, headers)


def _recommended(body: dict[str, Any]) -> bool:
    """emqx_prometheus_schema:is_recommend_type/1: only the recommended form's keys."""
    return set(body) <= set(DEFAULTS["prometheus"])


_LEGACY_COLLECTORS = (
    "vm_dist",
    "mnesia",
    "vm_statistics",
    "vm_system_info",
    "vm_memory",
    "vm_msacc",
)


def _converted(body: dict[str, Any]) -> dict[str, Any]:
    """emqx_prometheus_config:to_recommend_type/1 (basic auth off, as it writes)."""
    gateway: dict[str, Any] = {
        k: body[k] for k in ("interval", "headers", "job_name", "enable") if k in body
    }
    if body.get("push_gateway_server", ""):
        gateway["url"] = body["push_gateway_server"]
    else:
        gateway["enable"] = False
    collectors = {
        name: body[f"{name}_collector"]
        for name in _LEGACY_COLLECTORS
        if f"{name}_collector" in body
    }
    return {"push_gateway": gateway, "collectors": collectors, "enable_basic_auth": False}


def _accept() -> str | None:
    # The Connexion proxy forwards to the Starlette request, which its stubs do not say.
    value = cast(Any, connexion.request).headers.get("accept")
    return str(value) if value is not None else None


def _merged(defaults: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    tree = copy.deepcopy(defaults)
    for key, value in given.items():
        if isinstance(value, dict) and isinstance(tree.get(key), dict):
            tree[key] = _merged(tree[key], value)
        else:
            tree[key] = copy.deepcopy(value)
    return tree
