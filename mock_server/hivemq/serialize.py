"""World records → HiveMQ REST API JSON (4.x). Absent values are omitted, never `null`."""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime, timedelta, timezone
from typing import Any

from mqtt_api_kit.fixtures import Client, Node, Subscription
from mqtt_api_kit.fixtures.datahub import SchemaVersion

QOS = ("AT_MOST_ONCE", "AT_LEAST_ONCE", "EXACTLY_ONCE")
RETAIN_HANDLING = ("SEND", "SEND_IF_NEW_SUBSCRIPTION", "DO_NOT_SEND")
MQTT_VERSION = {3: "MQTTv3_1", 4: "MQTTv3_1_1", 5: "MQTTv5"}
# World listener kind → HiveMQ's default listener name prefix (the port is appended).
_LISTENER_PREFIX = {
    "tcp": "tcp-listener",
    "ssl": "tls-tcp-listener",
    "ws": "websocket-listener",
    "wss": "tls-websocket-listener",
}
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def rfc3339(ms: int) -> str:
    """`2020-07-20T14:59:50.580Z`: UTC with milliseconds, as HiveMQ's examples show."""
    # isoformat, not strftime("%Y"): glibc does not pad a year below 1000 ("181-06-02…", not a
    # date-time), where Java's Instant.toString, which HiveMQ prints, gives "0181-06-02…"
    when = datetime.fromtimestamp(ms // 1000, tz=timezone.utc).replace(tzinfo=None)
    return when.isoformat(timespec="seconds") + f".{ms % 1000:03d}Z"


def node_id(node_name: str) -> str:
    """HiveMQ names cluster nodes with a short generated id (`bRIG4`); the same node of the
    world always gets the same one."""
    number = int.from_bytes(hashlib.sha256(node_name.encode()).digest()[:8], "big")
    chars = []
    for _ in range(5):
        number, digit = divmod(number, len(_ALPHABET))
        chars.append(_ALPHABET[digit])
    return "".join(chars)


def listener_id(client: Client, node: Node | None) -> str:
    kind = client.listener.split(":", 1)[0]
    port = ""
    for listener in node.listeners if node else ():
        if listener.name == client.listener:
            port = listener.bind.rsplit(":", 1)[-1]
    return f"{_LISTENER_PREFIX.get(kind, kind + '-listener')}-{port}".rstrip("-")


def client_summary(c: Client) -> dict[str, Any]:
    return {"id": c.clientid}


def client_details(c: Client, node: Node | None) -> dict[str, Any]:
    details: dict[str, Any] = {"id": c.clientid, "connected": c.connected}
    if c.connected:
        details["connectedAt"] = rfc3339(c.connected_at)
    details["sessionExpiryInterval"] = c.session_expiry
    details["messageQueueSize"] = c.mqueue_len
    details["willPresent"] = c.will_present
    restrictions = _drop_none(
        {
            "maxMessageSize": c.restrictions.max_message_size,
            "maxQueueSize": c.restrictions.max_queue_size,
            "queuedMessageStrategy": c.restrictions.queued_message_strategy,
        }
    )
    if restrictions:
        details["restrictions"] = restrictions
    if c.connected:
        details["connection"] = _connection(c, node)
    return {"client": details}


def _connection(c: Client, node: Node | None) -> dict[str, Any]:
    conn: dict[str, Any] = {
        "keepAlive": c.keepalive,
        "mqttVersion": MQTT_VERSION.get(c.proto_ver, f"MQTTv{c.proto_ver}"),
        "connectedListenerId": listener_id(c, node),
        "connectedNodeId": node_id(c.node),
        "cleanStart": c.clean_start,
        "sourceIp": c.ip_address,
    }
    if c.username is not None:
        conn["username"] = c.username
    if c.proxy is not None:
        conn["proxyInformation"] = {
            "sourceIp": c.proxy.source_ip,
            "sourcePort": c.proxy.source_port,
            "destinationIp": c.proxy.destination_ip,
            "destinationPort": c.proxy.destination_port,
            "tlvs": [],
        }
    if c.tls is not None:
        tls: dict[str, Any] = {
            "cipherSuite": c.tls.cipher_suite,
            "tlsVersion": c.tls.version.removeprefix("TLSv"),
        }
        if c.tls.cert_common_name is not None:
            tls["certificateInformation"] = _certificate(c)
        conn["tlsInformation"] = tls
    return conn


def _certificate(c: Client) -> dict[str, Any]:
    """The client certificate: its subject is the world's; its validity is derived from the
    connection (issued some days before, valid a year), so it is stable and plausible."""
    assert c.tls is not None and c.tls.cert_common_name is not None
    digest = hashlib.sha256(c.clientid.encode()).digest()
    issued = datetime.fromtimestamp(c.connected_at // 1000, tz=timezone.utc).replace(
        hour=0, minute=0, second=0
    ) - timedelta(days=1 + digest[0])
    return {
        "commonName": c.tls.cert_common_name,
        "serial": str(int.from_bytes(digest[1:9], "big", signed=True)),
        "version": "3",
        "validFrom": rfc3339(int(issued.timestamp() * 1000)),
        "validUntil": rfc3339(int((issued + timedelta(days=365)).timestamp() * 1000)),
    }


def connection_state(c: Client) -> dict[str, Any]:
    return {"connection": {"connected": c.connected}}


def subscription(s: Subscription) -> dict[str, Any]:
    body: dict[str, Any] = {
        "topicFilter": f"$share/{s.group}/{s.topic}" if s.group else s.topic,
        "qos": QOS[s.qos],
        "retainHandling": RETAIN_HANDLING[s.retain_handling],
        "retainAsPublished": s.retain_as_published,
        "noLocal": s.no_local,
    }
    if s.subscription_identifier is not None:
        body["subscriptionIdentifier"] = s.subscription_identifier
    return body


def _drop_none(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not None}


SCHEMA_FIELDS = ("id", "version", "type", "schemaDefinition", "createdAt", "arguments")


def schema(v: SchemaVersion, fields: tuple[str, ...] = SCHEMA_FIELDS) -> dict[str, Any]:
    """One Data Hub schema version; `fields` picks the keys (`?fields=`), in this order."""
    body: dict[str, Any] = {
        "id": v.schema_id,
        "version": v.version,
        "type": v.kind,
        "schemaDefinition": base64.b64encode(v.definition).decode(),
        "createdAt": rfc3339(v.created_at),
    }
    if v.arguments:
        body["arguments"] = dict(v.arguments)
    return {k: body[k] for k in SCHEMA_FIELDS if k in fields and k in body}
