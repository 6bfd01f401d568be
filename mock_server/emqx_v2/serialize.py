"""World records → EMQ 2.3 JSON objects (`emqttd_rest_api` / `emqttd_mgmt` shapes).

Metric and stat names are rendered from the world's counters under 2.x's slash-separated
spellings; several 2.x names drop the `.received`/`.sent` a 4.x counter carries
(`packets/connect` is 4.x's `packets.connect.received`).
"""

from __future__ import annotations

import time
from typing import Any

from mqtt_api_kit.fixtures import Client, Listener, Node, Plugin, Subscription, World
from mqtt_api_kit.fixtures.admin import ConfigEntry, PluginSetting
from mqtt_api_kit.fixtures.model import Alarm

UNDEFINED = "undefined"
KB, MB, GB = 1024, 1024 * 1024, 1024 * 1024 * 1024
SYSTEM_PROCESSES = 420  # processes of an idle node (the v4 dialect counts the same)

# 2.x metric name → the world's (4.x) counter it reads.
METRICS: dict[str, str] = {
    "bytes/received": "bytes.received",
    "bytes/sent": "bytes.sent",
    "packets/received": "packets.received",
    "packets/sent": "packets.sent",
    "packets/connect": "packets.connect.received",
    "packets/connack": "packets.connack.sent",
    "packets/publish/received": "packets.publish.received",
    "packets/publish/sent": "packets.publish.sent",
    "packets/puback/received": "packets.puback.received",
    "packets/puback/sent": "packets.puback.sent",
    "packets/puback/missed": "packets.puback.missed",
    "packets/pubrec/received": "packets.pubrec.received",
    "packets/pubrec/sent": "packets.pubrec.sent",
    "packets/pubrec/missed": "packets.pubrec.missed",
    "packets/pubrel/received": "packets.pubrel.received",
    "packets/pubrel/sent": "packets.pubrel.sent",
    "packets/pubrel/missed": "packets.pubrel.missed",
    "packets/pubcomp/received": "packets.pubcomp.received",
    "packets/pubcomp/sent": "packets.pubcomp.sent",
    "packets/pubcomp/missed": "packets.pubcomp.missed",
    "packets/subscribe": "packets.subscribe.received",
    "packets/suback": "packets.suback.sent",
    "packets/unsubscribe": "packets.unsubscribe.received",
    "packets/unsuback": "packets.unsuback.sent",
    "packets/pingreq": "packets.pingreq.received",
    "packets/pingresp": "packets.pingresp.sent",
    "packets/disconnect": "packets.disconnect.received",
    "messages/received": "messages.received",
    "messages/sent": "messages.sent",
    "messages/qos0/received": "messages.qos0.received",
    "messages/qos0/sent": "messages.qos0.sent",
    "messages/qos1/received": "messages.qos1.received",
    "messages/qos1/sent": "messages.qos1.sent",
    "messages/qos2/received": "messages.qos2.received",
    "messages/qos2/sent": "messages.qos2.sent",
    "messages/qos2/dropped": "messages.qos2.dropped",
    "messages/dropped": "messages.dropped",
    "messages/forward": "messages.forward",
}
# 2.x stat name → the world's gauge (`World.stats`).
STATS: dict[str, str] = {
    "clients/count": "connections.count",
    "clients/max": "connections.max",
    "retained/count": "retained.count",
    "retained/max": "retained.max",
    "routes/count": "routes.count",
    "routes/max": "routes.max",
    "sessions/count": "sessions.count",
    "sessions/max": "sessions.max",
    "subscribers/count": "subscribers.count",
    "subscribers/max": "subscribers.max",
    "subscriptions/count": "subscriptions.count",
    "subscriptions/max": "subscriptions.max",
    "topics/count": "topics.count",
    "topics/max": "topics.max",
}


def datetime_text(ms: int) -> str:
    """`YYYY-MM-DD HH:MM:SS` in the broker host's local time; the mock's host runs on UTC."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ms // 1000))


def uptime(ms: int) -> str:
    """emqttd_broker's wording: leading zero units left out, and `days,` without a space."""
    secs = max(ms // 1000, 0)
    mins, hours, days = secs // 60, secs // 3600, secs // 86400
    text = f"{secs % 60} seconds" if secs >= 60 else f"{secs} seconds"
    if secs >= 60:
        text = f"{mins % 60 if mins >= 60 else mins} minutes, " + text
    if mins >= 60:
        text = f"{hours % 24 if hours >= 24 else hours} hours, " + text
    if hours >= 24:
        text = f"{days} days," + text
    return text


def kmg(size: int) -> str | int:
    """emqttd_mgmt:kmg/1, including its bug: sizes over 1 KiB are divided by a mebibyte."""
    if size > GB:
        return f"{size / GB:.2f}G"
    if size > MB:
        return f"{size / MB:.2f}M"
    if size > KB:
        return f"{size / MB:.2f}K"
    return size


# What an EMQ 2.3.11 node says about itself, whatever 4.x release the shared world's nodes
# run: `version` and `sysdescr` are the emqttd application's vsn and description
# (src/emqttd.app.src, read by emqttd_broker.erl `version/0`, `sysdescr/0`), `otp_release` is
# "R" ++ otp_release ++ "/" ++ ERTS version (emqttd_mgmt.erl:116) on the OTP 20.0 that
# 2.3.11 was built and tested on (.travis.yml `otp_release: 20.0`; OTP 20.0 ships ERTS 9.0).
VERSION = "2.3.11"
SYSDESCR = "Erlang MQTT Broker"
OTP_RELEASE = "R20/9.0"


def otp_release(node: Node) -> str:
    return OTP_RELEASE


def client(c: Client) -> dict[str, Any]:
    return {
        "client_id": c.clientid,
        "username": c.username if c.username is not None else UNDEFINED,
        "ipaddress": c.ip_address,
        "port": c.port,
        "clean_sess": c.clean_start,
        "proto_ver": c.proto_ver,
        "keepalive": c.keepalive,
        "connected_at": datetime_text(c.connected_at),
    }


def session(c: Client, subscriptions: int) -> dict[str, Any]:
    k = c.counters
    return {
        "client_id": c.clientid,
        "clean_sess": c.clean_start,
        "subscriptions": subscriptions,
        "max_inflight": c.max_inflight,
        "inflight_len": c.inflight,
        "mqueue_len": c.mqueue_len,
        "mqueue_dropped": c.mqueue_dropped,
        "awaiting_rel_len": c.awaiting_rel,
        "deliver_msg": k.send_msg,
        "enqueue_msg": k.send_msg + c.mqueue_len + c.mqueue_dropped,
        "created_at": datetime_text(c.created_at),
    }


def subscription(sub: Subscription) -> dict[str, Any]:
    # 2.3 keeps a shared subscription's group in its options: the topic is the bare filter.
    return {"client_id": sub.clientid, "topic": sub.topic, "qos": sub.qos}


def route(topic: str, node: str) -> dict[str, Any]:
    return {"topic": topic, "node": node}


def alarm(a: Alarm) -> dict[str, Any]:
    return {
        "id": a.name,
        "severity": str(a.details.get("severity", "warning")),
        "title": a.name,
        "summary": a.message,
        "occurred_at": datetime_text(a.activated_at),
    }


def broker(node: Node, now: int, named: bool) -> dict[str, Any]:
    body: dict[str, Any] = {"name": node.name} if named else {}
    body.update(
        version=VERSION,
        sysdescr=SYSDESCR,
        uptime=uptime(now - node.started_at),
        datetime=datetime_text(now),
        otp_release=otp_release(node),
        node_status="Running",
    )
    return body


def node_info(world: World, node: Node) -> dict[str, Any]:
    sessions = world.client_count(node.name)
    connected = world.sessions.gauges(node.name).get("connections.count", 0)
    load1, load5, load15 = node.load
    return {
        "name": node.name,
        "otp_release": otp_release(node),
        "memory_total": kmg(node.memory_total),
        "memory_used": kmg(node.memory_used),
        "process_available": node.process_limit,
        "process_used": SYSTEM_PROCESSES + 2 * sessions,  # a connection and a session each
        "max_fds": node.max_fds,
        "clients": connected,
        "node_status": "Running",
        "load1": f"{load1:.2f}",
        "load5": f"{load5:.2f}",
        "load15": f"{load15:.2f}",
    }


def stopped_node(node: Node) -> dict[str, Any]:
    return {"name": node.name, "node_status": "Stopped"}


def listener(world: World, node: str, lst: Listener) -> dict[str, Any]:
    return {
        "protocol": lst.protocol,
        "listen": lst.bind,
        "acceptors": lst.acceptors,
        "max_clients": lst.max_conns,
        "current_clients": world.current_conns(node, lst.name),
        # An Erlang property list: an object once it has entries, `[]` while empty.
        "shutdown_count": dict(lst.shutdown_count) if lst.shutdown_count else [],
    }


def metrics_of(world: World, node: Node) -> dict[str, int]:
    result = {name: node.metrics.get(source, 0) for name, source in METRICS.items()}
    # A gauge in 2.x (the retainer sets it), not a counter: the retained messages held now.
    result["messages/retained"] = sum(1 for m in world.retained.values() if m.node == node.name)
    return result


def stats(gauges: dict[str, int]) -> dict[str, int]:
    return {name: gauges.get(source, 0) for name, source in sorted(STATS.items())}


def plugin(p: Plugin) -> dict[str, Any]:
    # 2.3's plugins carry the release's version too (emqttd_plugins: the app's vsn).
    return {"name": p.name, "version": VERSION, "description": p.description, "active": p.active}


def config(entry: ConfigEntry) -> dict[str, Any]:
    return {"key": entry.key, "value": entry.value, "datatpye": entry.datatype, "app": entry.app}


def plugin_config(setting: PluginSetting) -> dict[str, Any]:
    return {
        "key": setting.key,
        "value": setting.value,
        "desc": setting.description,
        "required": setting.required,
    }


def user(username: str, tags: object) -> dict[str, Any]:
    # tags are stored as given (fixtures/console.py): whatever JSON the request carried
    return {"username": username, "tags": tags}
