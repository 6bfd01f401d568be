"""The file of a HiveMQ backup: written from the world at the request, read back on restore.

What HiveMQ's backup holds (its "Backup and Restore" guide, "Backup Content"): the sessions
of persistent clients, their subscriptions, shared subscriptions, retained messages, queued
messages (of persistent clients and shared subscriptions) and extensions' data. HiveMQ's file
is binary and undocumented; this one is a zip of JSON documents with the same content:

* `backup.json` — id, time, HiveMQ version, the cluster's nodes, how much of each it holds;
* `sessions.json` — every persistent session (session expiry above 0), connected or not,
  with its queue: the world keeps how many messages are queued, not the messages;
* `subscriptions.json`, `shared-subscriptions.json` — the subscriptions of those sessions;
* `retained-messages.json` — every retained message, payload in base64.

The world has no extension data, so there is none to back up. A restore brings the sessions
back offline (as after a restart), with their subscriptions and queue counts, and the
retained messages, on the node of the same id (or the first node when it no longer exists).
"""

from __future__ import annotations

import base64
from datetime import datetime, timezone
from typing import Any

from mqtt_api_kit.fixtures import Client, Restrictions, RetainedMessage, Subscription, World
from mqtt_api_kit.fixtures.zipfiles import json_entry, read_json, zip_bytes

from . import serialize
from .serialize_management import seconds

HIVEMQ_VERSION = "4.30.0"
FORMAT = "mqtt-api-kit/hivemq-backup"
_VERSIONS = {v: k for k, v in serialize.MQTT_VERSION.items()}


def build(world: World, backup_id: str, at: int) -> bytes:
    persistent = [c for c in world.clients() if c.session_expiry > 0]
    kept = {c.clientid for c in persistent}
    subs = [(c, s) for c, s in world.subscriptions() if c.clientid in kept]
    plain = [_subscription(c, s) for c, s in subs if s.group is None]
    shared = [
        {
            "group": s.group,
            "topicFilter": s.topic,
            "clientId": c.clientid,
            "qos": serialize.QOS[s.qos],
        }
        for c, s in subs
        if s.group is not None
    ]
    retained = [_retained(m) for m in world.retained.values()]
    manifest = {
        "format": FORMAT,
        "formatVersion": 1,
        "id": backup_id,
        "createdAt": seconds(at),
        "hivemqVersion": HIVEMQ_VERSION,
        "nodes": [serialize.node_id(n.name) for n in world.nodes],
        "contents": {
            "sessions": len(persistent),
            "subscriptions": len(plain),
            "sharedSubscriptions": len(shared),
            "retainedMessages": len(retained),
            "queuedMessages": sum(c.mqueue_len for c in persistent),
        },
    }
    entries = [
        json_entry("backup.json", manifest),
        json_entry("sessions.json", [_session(c) for c in persistent]),
        json_entry("subscriptions.json", plain),
        json_entry("shared-subscriptions.json", shared),
        json_entry("retained-messages.json", retained),
    ]
    return zip_bytes(entries, at)


def restore(world: World, archive: bytes) -> None:
    """Import a file `build` wrote (the world keeps only those) into a clean world."""
    nodes = {serialize.node_id(n.name): n.name for n in world.nodes}
    first = world.running_nodes()[0].name
    by_client: dict[str, list[Subscription]] = {}
    for row in read_json(archive, "subscriptions.json"):
        by_client.setdefault(row["clientId"], []).append(
            Subscription(
                row["clientId"],
                row["topicFilter"],
                serialize.QOS.index(row["qos"]),
                None,
                row["noLocal"],
                row["retainAsPublished"],
                serialize.RETAIN_HANDLING.index(row["retainHandling"]),
                row.get("subscriptionIdentifier"),
            )
        )
    for row in read_json(archive, "shared-subscriptions.json"):
        by_client.setdefault(row["clientId"], []).append(
            Subscription(
                row["clientId"], row["topicFilter"], serialize.QOS.index(row["qos"]), row["group"]
            )
        )
    for row in read_json(archive, "sessions.json"):
        client = _client(row, nodes.get(row["nodeId"], first))
        world.add_client(client, by_client.get(client.clientid, ()))
    for row in read_json(archive, "retained-messages.json"):
        world.messaging.store_retained(
            RetainedMessage(
                row["topic"],
                base64.b64decode(row["payload"]),
                serialize.QOS.index(row["qos"]),
                nodes.get(row["nodeId"], first),
                row.get("publisher"),
                _ms(row["publishedAt"]),
            )
        )


def _session(c: Client) -> dict[str, Any]:
    body: dict[str, Any] = {
        "clientId": c.clientid,
        "nodeId": serialize.node_id(c.node),
        "connected": c.connected,
        "sessionExpiryInterval": c.session_expiry,
        "mqttVersion": serialize.MQTT_VERSION.get(c.proto_ver, f"MQTTv{c.proto_ver}"),
        "keepAlive": c.keepalive,
        "ipAddress": c.ip_address,
        "port": c.port,
        "listener": c.listener,
        "createdAt": serialize.rfc3339(c.created_at),
        "connectedAt": serialize.rfc3339(c.connected_at),
        "queuedMessages": c.mqueue_len,
        "maxQueuedMessages": c.max_mqueue,
    }
    if c.username is not None:
        body["username"] = c.username
    if c.disconnected_at is not None:
        body["disconnectedAt"] = serialize.rfc3339(c.disconnected_at)
    limits = {
        "maxMessageSize": c.restrictions.max_message_size,
        "maxQueueSize": c.restrictions.max_queue_size,
        "queuedMessageStrategy": c.restrictions.queued_message_strategy,
    }
    body["restrictions"] = {k: v for k, v in limits.items() if v is not None}
    return body


def _subscription(c: Client, s: Subscription) -> dict[str, Any]:
    return {"clientId": c.clientid, **serialize.subscription(s)}


def _retained(m: RetainedMessage) -> dict[str, Any]:
    body: dict[str, Any] = {
        "topic": m.topic,
        "qos": serialize.QOS[m.qos],
        "payload": base64.b64encode(m.payload).decode(),
        "nodeId": serialize.node_id(m.node),
        "publishedAt": serialize.rfc3339(m.published_at),
    }
    if m.publisher is not None:
        body["publisher"] = m.publisher
    return body


def _client(row: dict[str, Any], node: str) -> Client:
    version = _VERSIONS.get(row["mqttVersion"], 4)
    limits = row.get("restrictions", {})
    disconnected = row.get("disconnectedAt")
    connected_at = _ms(row["connectedAt"])
    return Client(
        clientid=row["clientId"],
        username=row.get("username"),
        node=node,
        ip_address=row["ipAddress"],
        port=row["port"],
        proto_name="MQIsdp" if version == 3 else "MQTT",
        proto_ver=version,
        clean_start=False,
        keepalive=row["keepAlive"],
        session_expiry=row["sessionExpiryInterval"],
        zone="external",
        mountpoint=None,
        is_bridge=False,
        connected=False,  # a restored session waits for its client to connect again
        created_at=_ms(row["createdAt"]),
        connected_at=connected_at,
        disconnected_at=_ms(disconnected) if disconnected else connected_at,
        listener=row["listener"],
        will_present=False,
        tls=None,
        proxy=None,
        restrictions=Restrictions(
            limits.get("maxMessageSize"),
            limits.get("maxQueueSize"),
            limits.get("queuedMessageStrategy"),
        ),
        max_subscriptions=0,
        inflight=0,
        max_inflight=32,
        mqueue_len=row["queuedMessages"],
        max_mqueue=row["maxQueuedMessages"],
        mqueue_dropped=0,
        awaiting_rel=0,
        max_awaiting_rel=100,
    )


def _ms(text: str) -> int:
    """Epoch ms of a time `serialize.rfc3339` wrote (`2026-03-02T09:30:00.000Z`)."""
    when = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    return round(when.timestamp() * 1000)
