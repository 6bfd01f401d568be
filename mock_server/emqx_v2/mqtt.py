"""`/mqtt/publish`, `/mqtt/subscribe`, `/mqtt/unsubscribe` (EMQ 2.3) over the world's writes.

All three validate `topic` as a topic *name*, so subscribing to a wildcard filter through
this API is refused (102). Subscribe/unsubscribe need the client's session on the node that
takes the request — the mock's endpoint is the first running node — and, in the world, a
live connection (an offline session is reported as not found too).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.fixtures.topics import is_name

from . import errors
from .params import Crash, optional, parse

DEFAULT_PUBLISHER = "http"
QOS = (0, 1, 2)  # not validated by 2.3; other values are undefined behaviour


def _bad_topic(topic: str) -> Response:
    return errors.error(errors.UNKNOWN, f"validate topic: {topic} fail")


def _client_and_topic(body: Any) -> dict[str, Any] | Response:
    """The checks subscribe and unsubscribe share, in 2.3's order: fields, then the topic."""
    parsed = parse(body, {"client_id": str, "topic": str})
    if not isinstance(parsed, Response) and not is_name(parsed["topic"]):
        return _bad_topic(parsed["topic"])
    return parsed


class MqttApi:
    def __init__(self, world: World) -> None:
        self.world = world

    def _session_here(self, clientid: str) -> bool:
        client = self.world.client(clientid)
        return client is not None and client.node == self.world.running_nodes()[0].name

    async def publish(self, body: Any) -> Response:
        body = parse(body, {"topic": str, "payload": str})
        if isinstance(body, Response):
            return body
        topic = body["topic"]
        if not is_name(topic):
            return _bad_topic(topic)
        try:
            qos = optional(body, "qos", 0, QOS)
            retain = optional(body, "retain", False)
            sender = optional(body, "client_id", DEFAULT_PUBLISHER)
        except Crash:
            return errors.crashed()
        self.world.publish(topic, body["payload"].encode(), qos=qos, retain=retain, sender=sender)
        return errors.ok()

    async def subscribe(self, body: Any) -> Response:
        body = _client_and_topic(body)
        if isinstance(body, Response):
            return body
        clientid, topic = body["client_id"], body["topic"]
        try:
            qos = optional(body, "qos", 0, QOS)
        except Crash:
            return errors.crashed()
        if not self._session_here(clientid) or not self.world.subscribe(clientid, topic, qos):
            return errors.error(errors.UNKNOWN, f"Clientid: {clientid} not found")
        return errors.ok()

    async def unsubscribe(self, body: Any) -> Response:
        body = _client_and_topic(body)
        if isinstance(body, Response):
            return body
        clientid, topic = body["client_id"], body["topic"]
        if not self._session_here(clientid) or not self.world.unsubscribe(clientid, topic):
            return errors.error(errors.UNKNOWN, f"Clientid: {clientid} not found")
        return errors.ok()
