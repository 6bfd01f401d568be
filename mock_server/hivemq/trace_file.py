"""The files of a HiveMQ trace recording: one human-readable log per node, in one zip.

HiveMQ writes "cluster-wide trace files that can be downloaded as a collective zip file"
(reference, Trace Recordings); their line format is its own and undocumented. Here each
node's log, `<name>/<nodeId>.log`, opens with the recording's settings and has one line per
traced event, oldest first, from what the world records with a time:

* a connection: `MQTT_MESSAGE_CONNECT` and `MQTT_MESSAGE_CONNACK` at its connection time;
* the end of a connection whose session stayed: `MQTT_MESSAGE_DISCONNECT`;
* a retained message a client published: `MQTT_MESSAGE_PUBLISH`.

An event is traced when the recording asks for it, it happened between `startAt` and the end
of the recording so far, its client matches a client id filter (when there are any) and its
topic a topic filter (when there are any: an event without a topic is then not traced).
Read at download time, so it is a pure function of the world and the clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.fixtures.trace_recordings import EVENTS, TraceRecording
from mqtt_api_kit.fixtures.zipfiles import zip_bytes

from . import serialize


@dataclass(frozen=True, slots=True)
class _Event:
    at: int  # ms
    node: str
    event: str
    clientid: str
    topic: str | None
    text: str


def build(world: World, recording: TraceRecording, now: int) -> bytes:
    until = recording.recorded_until(now)
    lines: dict[str, list[_Event]] = {n.name: [] for n in world.nodes}
    for event in _events(world):
        if _traced(recording, event, until) and event.node in lines:
            lines[event.node].append(event)
    entries = []
    for node, events in lines.items():
        node_id = serialize.node_id(node)
        head = _header(recording, node_id, until)
        body = "".join(
            f"{_time(e.at)} - [{e.clientid}] - {e.text}\n" for e in sorted(events, key=_order)
        )
        entries.append((f"{recording.name}/{node_id}.log", (head + body).encode()))
    return zip_bytes(entries, until)


def _events(world: World) -> Iterator[_Event]:
    for c in world.clients():
        version = serialize.MQTT_VERSION.get(c.proto_ver, f"MQTTv{c.proto_ver}")
        listener = serialize.listener_id(c, world.node(c.node))
        yield _Event(
            c.connected_at,
            c.node,
            "MQTT_MESSAGE_CONNECT",
            c.clientid,
            None,
            f"Received CONNECT message (MQTT version: {version}, clean start: "
            f"{str(c.clean_start).lower()}, keep alive: {c.keepalive}, session expiry "
            f"interval: {c.session_expiry}) on listener {listener} from {c.ip_address}:{c.port}",
        )
        yield _Event(
            c.connected_at,
            c.node,
            "MQTT_MESSAGE_CONNACK",
            c.clientid,
            None,
            "Sent CONNACK message (reason code: SUCCESS, session present: "
            f"{str(not c.clean_start).lower()})",
        )
        if not c.connected and c.disconnected_at is not None:
            yield _Event(
                c.disconnected_at,
                c.node,
                "MQTT_MESSAGE_DISCONNECT",
                c.clientid,
                None,
                "Received DISCONNECT message (reason code: NORMAL_DISCONNECTION)",
            )
    for m in world.retained.values():
        if m.publisher is None:
            continue
        yield _Event(
            m.published_at,
            m.node,
            "MQTT_MESSAGE_PUBLISH",
            m.publisher,
            m.topic,
            f"Received PUBLISH message (topic: {m.topic}, QoS: {m.qos}, retain: true, payload "
            f"size: {len(m.payload)} bytes)",
        )


def _traced(r: TraceRecording, e: _Event, until: int) -> bool:
    if e.event not in r.events or not r.start_at <= e.at < until:
        return False
    if r.client_filters and not r.client_matches(e.clientid):
        return False
    return not r.topic_filters or (e.topic is not None and r.topic_matches(e.topic))


def _order(e: _Event) -> tuple[int, str, int]:
    """By time, then client, then packet order (CONNECT before CONNACK)."""
    return (e.at, e.clientid, EVENTS.index(e.event))


def _header(r: TraceRecording, node_id: str, until: int) -> str:
    filters = ", ".join(r.client_filters) or "-"
    topics = ", ".join(r.topic_filters) or "-"
    return (
        f"# HiveMQ trace recording '{r.name}' on node {node_id}\n"
        f"# from {_time(r.start_at)} to {_time(until)}\n"
        f"# client ID filters: {filters}\n# topic filters: {topics}\n"
        f"# events: {', '.join(r.events)}\n"
    )


def _time(ms: int) -> str:
    when = datetime.fromtimestamp(ms // 1000, tz=timezone.utc)
    return when.strftime("%Y-%m-%d %H:%M:%S") + f",{ms % 1000:03d}"
