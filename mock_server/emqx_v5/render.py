"""World records as EMQX 5.8.1 writes them: times in RFC 3339, counters under dotted names.

Times: `emqx_utils_calendar:epoch_to_rfc3339/2` — milliseconds for client and message times,
seconds for bans and API keys — in the node's local offset (the mock's nodes run on UTC).
"""

from __future__ import annotations

import base64
import zlib
from datetime import datetime, timezone
from typing import Any

from mqtt_api_kit.fixtures import Client, Subscription
from mqtt_api_kit.fixtures.mailbox import QueuedMessage

__all__ = [
    "client",
    "guid",
    "metrics_status",
    "rfc3339_ms",
    "rfc3339_s",
    "share_topic",
    "subscription",
]


def rfc3339_ms(ms: int) -> str:
    when = datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
    return when.isoformat(timespec="milliseconds")


_CYCLE_S = 146_097 * 86_400  # 400 Gregorian years: the calendar repeats


def rfc3339_s(seconds: int) -> str:
    """calendar:system_time_to_rfc3339/2 in seconds, for any year: Erlang's calendar has no
    year 9999 limit (a ban `until` far in the future is stored and shown), Python's has, so
    the time is moved by whole 400-year cycles into range and the year moved back."""
    cycles = 0
    if not -62_135_596_800 <= seconds <= 253_402_300_799:  # outside 0001–9999
        cycles = (seconds - 946_684_800) // _CYCLE_S  # relative to 2000-01-01
    when = datetime.fromtimestamp(seconds - cycles * _CYCLE_S, tz=timezone.utc)
    text = when.isoformat(timespec="seconds")
    if not cycles:
        return text
    year = when.year + 400 * cycles
    return f"{year:04d}" + text[4:]


def guid(at_ms: int, node: str, sequence: int) -> str:
    """emqx_guid:to_hexstr/1 of a GUID laid out as EMQX's: µs, node, sequence."""
    node_id = zlib.crc32(node.encode()) & 0xFFFF_FFFF
    return f"{at_ms * 1000:016X}{node_id:08X}{sequence & 0xFFFF_FFFF:08X}"


def share_topic(sub: Subscription) -> str:
    """emqx_topic:maybe_format_share/1."""
    return f"$share/{sub.group}/{sub.topic}" if sub.group is not None else sub.topic


def client(c: Client, subscriptions: int) -> dict[str, Any]:
    """emqx_mgmt_api_clients:format_channel_info/3 of an in-memory session, `fields=all`.

    Clientinfo, conninfo, session info and channel stats merged, without the keys the
    function removes (`peerport`, `zone`, `peername`…), timestamps in RFC 3339 ms, and
    `undefined` as null. `disconnected_at` only for a disconnected session.
    """
    k = c.counters
    row: dict[str, Any] = {
        "awaiting_rel_cnt": c.awaiting_rel,
        "awaiting_rel_max": c.max_awaiting_rel,
        "clean_start": c.clean_start,
        "client_attrs": {},
        "clientid": c.clientid,
        "connected": c.connected,
        "connected_at": rfc3339_ms(c.connected_at),
        "created_at": rfc3339_ms(c.created_at),
        "durable": False,
        "enable_authn": True,
        "expiry_interval": c.session_expiry,
        "heap_size": k.heap_size,
        "inflight_cnt": c.inflight,
        "inflight_max": c.max_inflight,
        "ip_address": c.ip_address,
        "is_bridge": c.is_bridge,
        "is_expired": False,
        "is_persistent": False,
        "keepalive": c.keepalive,
        "listener": c.listener,
        "mailbox_len": k.mailbox_len,
        "mountpoint": c.mountpoint,
        "mqueue_dropped": c.mqueue_dropped,
        "mqueue_len": c.mqueue_len,
        "mqueue_max": c.max_mqueue,
        "node": c.node,
        "port": c.port,
        "proto_name": c.proto_name,
        "proto_ver": c.proto_ver,
        "recv_cnt": k.recv_cnt,
        "recv_msg": k.recv_msg,
        "recv_msg.dropped": k.recv_msg_dropped,
        "recv_msg.dropped.await_pubrel_timeout": k.recv_msg_dropped_expired,
        "recv_msg.qos0": k.recv_msg_qos[0],
        "recv_msg.qos1": k.recv_msg_qos[1],
        "recv_msg.qos2": k.recv_msg_qos[2],
        "recv_oct": k.recv_oct,
        "recv_pkt": k.recv_pkt,
        "reductions": k.reductions,
        "send_cnt": k.send_cnt,
        "send_msg": k.send_msg,
        "send_msg.dropped": k.send_msg_dropped,
        "send_msg.dropped.expired": k.send_msg_dropped_expired,
        "send_msg.dropped.queue_full": k.send_msg_dropped_queue_full,
        "send_msg.dropped.too_large": k.send_msg_dropped_too_large,
        "send_msg.qos0": k.send_msg_qos[0],
        "send_msg.qos1": k.send_msg_qos[1],
        "send_msg.qos2": k.send_msg_qos[2],
        "send_oct": k.send_oct,
        "send_pkt": k.send_pkt,
        "subscriptions_cnt": subscriptions,
        "subscriptions_max": c.max_subscriptions or "infinity",
        "username": c.username,
    }
    if not c.connected and c.disconnected_at is not None:
        row["disconnected_at"] = rfc3339_ms(c.disconnected_at)
    return row


def subscription(node: str, sub: Subscription) -> dict[str, Any]:
    """emqx_mgmt_api_subscriptions:format/2 of an in-memory subscription."""
    return {
        "clientid": sub.clientid,
        "durable": False,
        "nl": int(sub.no_local),
        "node": node,
        "qos": sub.qos,
        "rap": int(sub.retain_as_published),
        "rh": sub.retain_handling,
        "topic": share_topic(sub),
    }


def queued(message: QueuedMessage, kind: str, payload: str) -> tuple[dict[str, Any], int]:
    """emqx_mgmt_api_clients:format_msg/3: the row and the payload bytes it counts."""
    row: dict[str, Any] = {
        "from_clientid": message.from_clientid or "http_api",
        "from_username": message.from_username,
        "msgid": message.msgid,
        "publish_at": message.published_at,
        "qos": message.qos,
        "topic": message.topic,
        "inserted_at": str(message.inserted_at),
    }
    if kind == "mqueue":
        row["mqueue_priority"] = message.priority
    size = 0
    if payload == "base64":
        row["payload"] = base64.b64encode(message.payload).decode()
        size = len(row["payload"])
    elif payload == "plain":
        row["payload"] = message.payload.decode("utf-8", "replace")
        size = len(message.payload)
    return row, size


def metrics_status(per_node: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """An authenticator's or authorization source's `/status`: per-node metrics, their sum and
    each node's status (the one `make_result_map`/`aggregate_metrics` shape both
    emqx_authn_api.erl and emqx_authz_api_sources.erl answer with in 5.8.1)."""
    summed: dict[str, Any] = {}
    for _, metrics in per_node:
        for key, value in metrics.items():
            summed[key] = summed.get(key, 0) + value
    return {
        "node_resource_metrics": [{"node": n, "metrics": {}} for n, _ in per_node],
        "resource_metrics": {},
        "node_metrics": [{"node": n, "metrics": m} for n, m in per_node],
        "metrics": summed,
        "node_status": [{"node": n, "status": "connected"} for n, _ in per_node],
        "status": "connected" if per_node else "empty_metrics_and_status",
        "node_error": [],
    }
