"""`/nodes…`, `/metrics`, `/stats`: emqx_mgmt_api_nodes/metrics/stats.erl over the world.

The world's counters carry 4.4's names; EMQX 5.8.1 (`emqx_metrics.hrl`) renamed a few and
added others. `METRICS` is 5.8.1's list in its order, each read from the world's counter of
the same meaning; counters 5.x added that nothing in the world moves read 0.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import Node, World

from . import errors

VERSION = "5.8.1"
OTP_RELEASE = "26.2.5.2-1/14.2.5.2"  # emqx_mgmt:otp_rel/0 of the 5.8.1 release (OTP 26)
_KB, _MB, _GB = 1024, 1024**2, 1024**3

# 5.8.1 name → the world's name for the same counter ("" when 4.4 had none).
_RENAMED = {
    "client.authorize": "client.check_acl",
    "session.takenover": "session.takeovered",
    "messages.dropped.await_pubrel_timeout": "messages.dropped.expired",
    "authentication.success.anonymous": "client.auth.anonymous",
    "authorization.allow": "client.check_acl",
}
METRICS = (
    "bytes.received bytes.sent packets.received packets.sent packets.connect.received "
    "packets.connack.sent packets.connack.error packets.connack.auth_error "
    "packets.publish.received packets.publish.sent packets.publish.inuse packets.publish.error "
    "packets.publish.auth_error packets.publish.dropped packets.puback.received "
    "packets.puback.sent packets.puback.inuse packets.puback.missed packets.pubrec.received "
    "packets.pubrec.sent packets.pubrec.inuse packets.pubrec.missed packets.pubrel.received "
    "packets.pubrel.sent packets.pubrel.missed packets.pubcomp.received packets.pubcomp.sent "
    "packets.pubcomp.inuse packets.pubcomp.missed packets.subscribe.received "
    "packets.subscribe.error packets.subscribe.auth_error packets.suback.sent "
    "packets.unsubscribe.received packets.unsubscribe.error packets.unsuback.sent "
    "packets.pingreq.received packets.pingresp.sent packets.disconnect.received "
    "packets.disconnect.sent packets.auth.received packets.auth.sent messages.received "
    "messages.sent messages.qos0.received messages.qos0.sent messages.qos1.received "
    "messages.qos1.sent messages.qos2.received messages.qos2.sent messages.publish "
    "messages.dropped messages.validation_failed messages.validation_succeeded "
    "messages.transformation_failed messages.transformation_succeeded "
    "messages.dropped.await_pubrel_timeout messages.dropped.no_subscribers messages.forward "
    "messages.delayed messages.delivered messages.acked messages.persisted delivery.dropped "
    "delivery.dropped.no_local delivery.dropped.too_large delivery.dropped.qos0_msg "
    "delivery.dropped.queue_full delivery.dropped.expired client.connect client.connack "
    "client.connected client.authenticate client.auth.anonymous client.authorize "
    "client.subscribe client.unsubscribe client.disconnected session.created session.resumed "
    "session.takenover session.discarded session.terminated authorization.allow "
    "authorization.deny authorization.cache_hit authorization.cache_miss "
    "authentication.success authentication.success.anonymous authentication.failure "
    "overload_protection.delay.ok overload_protection.delay.timeout "
    "overload_protection.hibernation overload_protection.gc overload_protection.new_conn"
).split()
# emqx_stats (5.8.1) as `GET /stats` lists them per node.
STATS = (
    "channels.count channels.max connections.count connections.max delayed.count delayed.max "
    "live_connections.count live_connections.max cluster_sessions.count cluster_sessions.max "
    "retained.count retained.max sessions.count sessions.max suboptions.count suboptions.max "
    "subscribers.count subscribers.max subscriptions.count subscriptions.max "
    "subscriptions.shared.count subscriptions.shared.max topics.count topics.max"
).split()
# emqx_mgmt:get_stats/0: cluster-wide values, not summed over nodes.
_GLOBAL_STATS = (
    "retained.count retained.max topics.count topics.max "
    "subscriptions.shared.count subscriptions.shared.max"
).split()


def kmg(size: int) -> str:
    """emqx_mgmt_util:kmg/1."""
    for limit, unit in ((_GB, "G"), (_MB, "M"), (_KB, "K")):
        if size > limit:
            return f"{size / limit:.2f}{unit}"
    return str(size)


def metrics(world: World, node: str) -> dict[str, int]:
    counters = world.cluster.metrics(node)
    row: dict[str, int] = {}
    for name in METRICS:
        source = _RENAMED.get(name, name)
        row[name] = int(counters.get(source, 0))
    row["authentication.success"] = max(
        0, row["client.authenticate"] - row["authentication.success.anonymous"]
    )
    return row


def _global(world: World) -> dict[str, int]:
    """Gauges 5.x keeps cluster-wide (router, shared-subscription and retainer tables): every
    node reports the same value."""
    topics = world.sessions.topic_count()
    gauges = [world.sessions.gauges(n) for n in world.cluster.running_names()]
    shared = sum(g.get("subscriptions.shared.count", 0) for g in gauges)
    retained = len(world.retained)
    highs: dict[str, int] = {}
    for node in world.cluster.running_names():
        for key, value in world.stats(node).get(node, {}).items():
            highs[key] = max(highs.get(key, 0), value)
    return {
        "retained.count": retained,
        "retained.max": max(retained, highs.get("retained.max", 0)),
        "topics.count": topics,
        "topics.max": max(topics, highs.get("topics.max", 0)),
        "subscriptions.shared.count": shared,
        "subscriptions.shared.max": max(shared, highs.get("subscriptions.shared.max", 0)),
        "cluster_sessions.count": world.client_count(),
        "cluster_sessions.max": max(world.client_count(), highs.get("sessions.max", 0)),
    }


def stats(world: World, node: str) -> dict[str, int]:
    """A node's gauges under 5.8.1's names: `connections` are its channels (sessions
    included), `live_connections` the connected ones; the cluster-wide ones as `_global`."""
    g = world.stats(node).get(node, {})
    sessions = g.get("sessions.count", 0)
    row = {
        "channels.count": g.get("channels.count", 0),
        "channels.max": g.get("channels.max", 0),
        "connections.count": sessions,
        "connections.max": g.get("sessions.max", sessions),
        "delayed.count": 0,
        "delayed.max": 0,
        "live_connections.count": g.get("connections.count", 0),
        "live_connections.max": g.get("connections.max", 0),
        **_global(world),
    }
    for name in STATS:
        row.setdefault(name, g.get(name, 0))
    return {name: row[name] for name in STATS}


def aggregated_stats(world: World) -> dict[str, int]:
    """emqx_mgmt:get_stats/0: per-node gauges summed, the cluster-wide ones taken once."""
    total = dict.fromkeys(STATS, 0)
    for node in world.cluster.running_names():
        for name, value in stats(world, node).items():
            total[name] += value
    total.update({k: v for k, v in _global(world).items() if k in _GLOBAL_STATS})
    return total


def node_info(world: World, node: Node) -> dict[str, Any]:
    """emqx_mgmt:node_info/0 (formatted by emqx_mgmt_api_nodes:format/1); a stopped core
    node is `{node, node_status: stopped, role: core}` (emqx_mgmt:list_nodes/0)."""
    if not node.running:
        return {"node": node.name, "node_status": "stopped", "role": "core"}
    g = world.stats(node.name).get(node.name, {})
    sessions = g.get("sessions.count", 0)
    return {
        "cluster_sessions": world.client_count(),
        "connections": sessions,
        "edition": "Opensource",
        "live_connections": g.get("connections.count", 0),
        "load1": node.load[0],
        "load15": node.load[2],
        "load5": node.load[1],
        "log_path": "/opt/emqx/log",
        "max_fds": node.max_fds,
        "memory_total": kmg(node.memory_total),
        "memory_used": kmg(node.memory_used),
        "node": node.name,
        "node_status": "running",
        "otp_release": OTP_RELEASE,
        "process_available": node.process_limit,
        "process_used": 600 + 2 * sessions,  # a node's own processes plus two per channel
        "role": "core",
        "sys_path": "/opt/emqx",
        "uptime": max(0, world.now - node.started_at),  # emqx_sys:uptime/0, milliseconds
        "version": VERSION,
    }


def with_node(world: World, name: str) -> Node | Response:
    """emqx_utils_api:with_node/2: a running node, else 404 NOT_FOUND."""
    node = world.node(name)
    if node is None or not node.running:
        return errors.not_found(f"Node not found: {name}")
    return node


class ClusterApi:
    def __init__(self, world: World) -> None:
        self.world = world

    async def list_nodes(self) -> Response:
        return errors.ok([node_info(self.world, n) for n in self.world.nodes])

    async def get_node(self, node: str) -> Response:
        found = with_node(self.world, node)
        return found if isinstance(found, Response) else errors.ok(node_info(self.world, found))

    async def get_node_metrics(self, node: str) -> Response:
        found = with_node(self.world, node)
        if isinstance(found, Response):
            return found
        return errors.ok(metrics(self.world, found.name))

    async def get_node_stats(self, node: str) -> Response:
        found = with_node(self.world, node)
        if isinstance(found, Response):
            return found
        return errors.ok(stats(self.world, found.name))

    async def get_metrics(self, aggregate: bool = False) -> Response:
        nodes = self.world.cluster.running_names()
        if aggregate:
            total = dict.fromkeys(METRICS, 0)
            for node in nodes:
                for name, value in metrics(self.world, node).items():
                    total[name] += value
            return errors.ok(total)
        return errors.ok([{**metrics(self.world, n), "node": n} for n in nodes])

    async def get_stats(self, aggregate: bool | None = None) -> Response:
        if aggregate is True:
            return errors.ok(aggregated_stats(self.world))
        nodes = self.world.cluster.running_names()
        # list/2 folds the running nodes onto a list head first: the last node comes first.
        rows = [{"node": n, **stats(self.world, n)} for n in reversed(nodes)]
        return errors.ok(rows)
