"""The zip of a HiveMQ diagnostic archive, taken from the world at the request.

HiveMQ's archive (its Control Center guide, "Diagnostic Archive") gathers what its support
asks for: the nodes' log files, configuration, system and JVM information and metrics. Here:

* `<id>/cluster.json` — when, which HiveMQ, the nodes and their state, the sessions;
* per node, `<id>/nodes/<nodeId>/`: `system.json` (host, memory, load, file descriptors),
  `config.xml` (the node's MQTT listeners as HiveMQ's configuration declares them),
  `metrics.json` (HiveMQ's metric names for the world's gauges and counters) and
  `hivemq.log` (the node's start and its listeners, as HiveMQ logs them).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from xml.sax.saxutils import escape

from mqtt_api_kit.fixtures import Node, World
from mqtt_api_kit.fixtures.zipfiles import json_entry, zip_bytes

from . import serialize
from .backup_file import HIVEMQ_VERSION
from .serialize_management import seconds

# World listener kinds → HiveMQ's configuration elements.
_ELEMENTS = {
    "tcp": "tcp-listener",
    "ssl": "tls-tcp-listener",
    "ws": "websocket-listener",
    "wss": "tls-websocket-listener",
}


def build(world: World, archive_id: str, at: int) -> bytes:
    entries = [json_entry(f"{archive_id}/cluster.json", _cluster(world, archive_id, at))]
    for node in world.nodes:
        base = f"{archive_id}/nodes/{serialize.node_id(node.name)}"
        entries += [
            json_entry(f"{base}/system.json", _system(node, at)),
            (f"{base}/config.xml", _config(node).encode()),
            json_entry(f"{base}/metrics.json", _metrics(world, node)),
            (f"{base}/hivemq.log", _log(node).encode()),
        ]
    return zip_bytes(entries, at)


def _cluster(world: World, archive_id: str, at: int) -> dict[str, Any]:
    clients = list(world.clients())
    return {
        "id": archive_id,
        "createdAt": seconds(at),
        "hivemqVersion": HIVEMQ_VERSION,
        "nodes": [
            {"id": serialize.node_id(n.name), "host": n.host, "running": n.running}
            for n in world.nodes
        ],
        "sessions": {
            "connected": sum(1 for c in clients if c.connected),
            "offline": sum(1 for c in clients if not c.connected),
        },
        "retainedMessages": len(world.retained),
    }


def _system(node: Node, at: int) -> dict[str, Any]:
    return {
        "nodeId": serialize.node_id(node.name),
        "host": node.host,
        "startedAt": serialize.rfc3339(node.started_at),
        "uptimeSeconds": max(0, (at - node.started_at) // 1000),
        "memory": {"totalBytes": node.memory_total, "usedBytes": node.memory_used},
        "systemLoad": list(node.load),
        "maxOpenFileDescriptors": node.max_fds,
    }


def _listeners(node: Node) -> list[tuple[str, str, str]]:
    """(element, bind address, port) of the node's MQTT listeners."""
    found = []
    for listener in node.listeners:
        if not listener.protocol.startswith("mqtt:"):
            continue
        kind = listener.protocol.split(":", 1)[1]
        address, _, port = listener.bind.rpartition(":")
        found.append((_ELEMENTS.get(kind, f"{kind}-listener"), address or "0.0.0.0", port))
    return found


def _config(node: Node) -> str:
    lines = ['<?xml version="1.0"?>', "<hivemq>", "    <listeners>"]
    for element, address, port in _listeners(node):
        lines += [
            f"        <{element}>",
            f"            <port>{escape(port)}</port>",
            f"            <bind-address>{escape(address)}</bind-address>",
            f"        </{element}>",
        ]
    lines += ["    </listeners>", "</hivemq>", ""]
    return "\n".join(lines)


def _metrics(world: World, node: Node) -> dict[str, int]:
    clients = list(world.clients(node.name))
    counters = node.metrics
    return {
        "com.hivemq.networking.connections.current": sum(1 for c in clients if c.connected),
        "com.hivemq.sessions.overall.current": len(clients),
        "com.hivemq.messages.retained.current": sum(
            1 for m in world.retained.values() if m.node == node.name
        ),
        "com.hivemq.messages.queued.count": sum(c.mqueue_len for c in clients),
        "com.hivemq.messages.incoming.publish.count": counters.get("messages.received", 0),
        "com.hivemq.messages.outgoing.publish.count": counters.get("messages.sent", 0),
        "com.hivemq.messages.dropped.count": counters.get("messages.dropped", 0),
    }


def _log(node: Node) -> str:
    start = node.started_at
    lines = [
        (start, f"Starting HiveMQ Enterprise Server {HIVEMQ_VERSION}"),
        (start + 40, f"This HiveMQ ID is {serialize.node_id(node.name)}"),
    ]
    for i, (element, address, port) in enumerate(_listeners(node)):
        kind = element.replace("-listener", "").replace("-", " ").upper()
        lines.append(
            (start + 800 + i, f"Started {kind} Listener on address {address} and on port {port}")
        )
    lines.append((start + 900, f"Started HiveMQ in {900 + len(lines)}ms"))
    return "".join(f"{_time(at)} INFO  - {text}\n" for at, text in lines)


def _time(ms: int) -> str:
    when = datetime.fromtimestamp(ms // 1000, tz=timezone.utc)
    return when.strftime("%Y-%m-%d %H:%M:%S") + f",{ms % 1000:03d}"
