"""World records → EMQX 4.4 JSON objects."""

from __future__ import annotations

import time
from typing import Any

from fixtures import AclCacheEntry, Client

UNDEFINED = "undefined"  # how the broker's JSON encoder renders an unset Erlang value


def datetime_text(ms: int) -> str:
    """`YYYY-MM-DD HH:MM:SS` in the broker host's local time; the mock's host runs on UTC."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ms // 1000))


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
