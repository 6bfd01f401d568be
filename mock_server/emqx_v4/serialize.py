"""World records → EMQX 4.4 JSON objects."""

from __future__ import annotations

import time
from functools import lru_cache
from typing import Any

from mqtt_api_kit.fixtures import (
    AclCacheEntry,
    Alarm,
    BannedEntry,
    Client,
    Listener,
    Module,
    Node,
    Plugin,
    Subscription,
)
from mqtt_api_kit.fixtures.topics import share_key

UNDEFINED = "undefined"  # how the broker's JSON encoder renders an unset Erlang value
# 4.x has no ban without an end; one made through EMQX 5 as `infinity` shows the last second
# an integer `until` of 4.x can name without overflowing (9999-12-31T23:59:59Z).
FOREVER_S = 253_402_300_799


def datetime_text(ms: int) -> str:
    """`YYYY-MM-DD HH:MM:SS` in the broker host's local time; the mock's host runs on UTC."""
    return _second_text(ms // 1000)


# py-spy under wrk: formatting was 5 % of a `/clients` page (two times per client). The
# world's times repeat from answer to answer, so the texts are kept — a bounded number.
@lru_cache(maxsize=1 << 16)
def _second_text(seconds: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(seconds))


def client(c: Client, subscriptions_cnt: int) -> dict[str, Any]:
    k = c.counters
    body: dict[str, Any] = {
        "clientid": c.clientid,
        "username": c.username if c.username is not None else UNDEFINED,
        "mountpoint": c.mountpoint if c.mountpoint is not None else UNDEFINED,
        "is_bridge": c.is_bridge,
        "zone": c.zone,
        "node": c.node,
        "ip_address": c.ip_address,
        "port": c.port,
        "connected": c.connected,
        "clean_start": c.clean_start,
        "keepalive": c.keepalive,
        "expiry_interval": c.session_expiry,
        "proto_name": c.proto_name,
        "proto_ver": c.proto_ver,
        "connected_at": datetime_text(c.connected_at),
        "created_at": datetime_text(c.created_at),
        "subscriptions_cnt": subscriptions_cnt,
        "max_subscriptions": c.max_subscriptions,
        "inflight": c.inflight,
        "max_inflight": c.max_inflight,
        "awaiting_rel": c.awaiting_rel,
        "max_awaiting_rel": c.max_awaiting_rel,
        "mqueue_len": c.mqueue_len,
        "max_mqueue": c.max_mqueue,
        "mqueue_dropped": c.mqueue_dropped,
        "heap_size": k.heap_size,
        "reductions": k.reductions,
        "mailbox_len": k.mailbox_len,
        "recv_cnt": k.recv_cnt,
        "recv_msg": k.recv_msg,
        "recv_oct": k.recv_oct,
        "recv_pkt": k.recv_pkt,
        "send_cnt": k.send_cnt,
        "send_msg": k.send_msg,
        "send_oct": k.send_oct,
        "send_pkt": k.send_pkt,
        "recv_msg.qos0": k.recv_msg_qos[0],
        "recv_msg.qos1": k.recv_msg_qos[1],
        "recv_msg.qos2": k.recv_msg_qos[2],
        "recv_msg.dropped": k.recv_msg_dropped,
        "recv_msg.dropped.expired": k.recv_msg_dropped_expired,
        "send_msg.qos0": k.send_msg_qos[0],
        "send_msg.qos1": k.send_msg_qos[1],
        "send_msg.qos2": k.send_msg_qos[2],
        "send_msg.dropped": k.send_msg_dropped,
        "send_msg.dropped.expired": k.send_msg_dropped_expired,
        "send_msg.dropped.queue_full": k.send_msg_dropped_queue_full,
        "send_msg.dropped.too_large": k.send_msg_dropped_too_large,
    }
    if c.disconnected_at is not None:
        body["disconnected_at"] = datetime_text(c.disconnected_at)
    return body


def acl_cache_entry(entry: AclCacheEntry) -> dict[str, Any]:
    return {
        "access": entry.access,
        "topic": entry.topic,
        "result": "allow" if entry.allowed else "deny",
        "updated_time": entry.updated_at,
    }


# -- cluster, monitoring and operator records (emqx_mgmt_api_* of 4.4.19) ----------------------

_KIB, _MIB, _GIB = 1024, 1024**2, 1024**3


def byte_size(n: int) -> str | int:
    """`memory_*` as 4.4.19 prints them: two decimals and K/M/G above 1 KiB, else the integer."""
    for unit, scale in (("G", _GIB), ("M", _MIB), ("K", _KIB)):
        if n > scale:
            return f"{n / scale:.2f}{unit}"
    return n


def uptime(ms: int) -> str:
    """`"2 days, 3 hours, 0 minutes, 5 seconds"`: leading zero units are left out."""
    secs = ms // 1000
    if secs < 60:
        return f"{secs} seconds"
    mins, secs = divmod(secs, 60)
    hours, mins = divmod(mins, 60)
    days, hours = divmod(hours, 24)
    parts = [(days, "days"), (hours, "hours"), (mins, "minutes")]
    while parts and parts[0][0] == 0:
        parts.pop(0)
    return ", ".join(f"{v} {name}" for v, name in parts) + f", {secs} seconds"


def broker(n: Node, now: int) -> dict[str, Any]:
    return {
        "node": n.name,
        "version": n.version,
        "sysdescr": n.sysdescr,
        "uptime": uptime(now - n.started_at),
        "datetime": datetime_text(now),
        "otp_release": n.otp_release,
        "node_status": "Running",
    }


def node_info(n: Node, now: int, channels: int, connected: int) -> dict[str, Any]:
    return {
        "node": n.name,
        "node_status": "Running",
        "version": n.version,
        "uptime": uptime(now - n.started_at),
        "otp_release": n.otp_release,
        "memory_total": byte_size(n.memory_total),
        "memory_used": byte_size(n.memory_used),
        "process_available": n.process_limit,
        "process_used": 420 + 2 * channels,  # system processes + a channel and a session each
        "max_fds": n.max_fds,
        "connections": channels,
        "live_connections": connected,
        "load1": f"{n.load[0]:.2f}",
        "load5": f"{n.load[1]:.2f}",
        "load15": f"{n.load[2]:.2f}",
    }


def subscription(node: str, sub: Subscription) -> dict[str, Any]:
    return {
        "node": node,
        "clientid": sub.clientid,
        "topic": share_key(sub.group, sub.topic),
        "qos": sub.qos,
    }


def route(topic: str, node: str) -> dict[str, Any]:
    return {"topic": topic, "node": node}


def listener(item: Listener, current_conns: int) -> dict[str, Any]:
    socket = item.protocol.startswith("mqtt:")
    body: dict[str, Any] = {
        "protocol": item.protocol,
        "listen_on": item.bind,
        "acceptors": item.acceptors,
        "max_conns": item.max_conns,
        "current_conns": current_conns,
        # jiffy encodes an empty proplist as [] and a non-empty one as an object
        "shutdown_count": dict(item.shutdown_count) if socket and item.shutdown_count else [],
    }
    if socket:
        body["identifier"] = listener_identifier(item)
    return body


def listener_identifier(item: Listener) -> str:
    return f"mqtt:{item.name}" if item.protocol.startswith("mqtt:") else item.protocol


def plugin(p: Plugin) -> dict[str, Any]:
    return {"name": p.name, "description": p.description, "active": p.active, "type": p.type}


def module(m: Module) -> dict[str, Any]:
    return {"name": m.name, "description": m.description, "active": m.active}


def alarm(a: Alarm, now: int) -> dict[str, Any]:
    """Times in **microseconds**; `deactivate_at` is `"infinity"` while the alarm is active."""
    end = now if a.deactivated_at is None else a.deactivated_at
    return {
        "name": a.name,
        "message": a.message,
        "details": dict(a.details),
        "activate_at": a.activated_at * 1000,
        "deactivate_at": "infinity" if a.deactivated_at is None else a.deactivated_at * 1000,
        "activated": a.active,
        "duration": (end - a.activated_at) * 1000,
    }


def banned(b: BannedEntry) -> dict[str, Any]:
    return {
        "who": b.who,
        "as": b.kind,
        "by": b.by,
        "reason": b.reason,
        "at": b.at // 1000,
        # 4.x has no ban without an end; one made through EMQX 5 as `infinity` shows the
        # last second an integer `until` of 4.x can name without overflowing (9999-12-31).
        "until": b.until // 1000 if b.until is not None else FOREVER_S,
    }
