"""`POST /publish` and `/publish/bulk`: emqx_mgmt_api_publish.erl (5.8.1).

Answers by delivery, with MQTT 5 reason codes: 200 `{id}` when a subscriber took the message,
202 `{reason_code: 16, message: no_matching_subscribers}` when none matched (a retained
message is stored all the same), 400 `{reason_code, message}` for a topic that is not a name
(144), a payload larger than `mqtt.max_packet_size` (151) or a `base64` payload that does not
decode (131). A batch stops at its first bad message (400); otherwise each message gets its
own answer and the batch is 200 if all are, 202 if none failed, 503 if one did.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.fixtures.topics import is_name

from . import errors

MAX_PACKET_SIZE = 1024 * 1024  # mqtt.max_packet_size default
RC_NO_MATCHING_SUBSCRIBERS = 0x10
RC_IMPLEMENTATION_SPECIFIC_ERROR = 0x83
RC_TOPIC_NAME_INVALID = 0x90
RC_QUOTA_EXCEEDED = 0x97


class Refused(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _erlang_binary(raw: str) -> str:
    return '<<"' + raw.replace("\\", "\\\\").replace('"', '\\"') + '">>'


def message(spec: dict[str, Any]) -> tuple[str, bytes, int, bool]:
    """make_message/1: (topic, payload, qos, retain), or `Refused` as the broker refuses."""
    raw = str(spec["payload"])
    if spec.get("payload_encoding", "plain") == "base64":
        try:
            payload = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            raise Refused(
                RC_IMPLEMENTATION_SPECIFIC_ERROR,
                f"{{decode_base64_payload_failed,{_erlang_binary(raw)}}}",
            ) from None
    else:
        payload = raw.encode("utf-8", "surrogatepass")
    topic = str(spec["topic"])
    if not is_name(topic):
        raise Refused(RC_TOPIC_NAME_INVALID, "topic_name_invalid")
    if len(payload) + len(topic.encode("utf-8", "surrogatepass")) > MAX_PACKET_SIZE:
        raise Refused(RC_QUOTA_EXCEEDED, "packet_too_large")
    return topic, payload, int(spec.get("qos", 0)), bool(spec.get("retain", False))


def _refusal(exc: Refused) -> dict[str, Any]:
    return {"reason_code": exc.code, "message": exc.message}


class PublishApi:
    def __init__(self, world: World) -> None:
        self.world = world

    def _send(self, topic: str, payload: bytes, qos: int, retain: bool) -> tuple[int, Any]:
        routed = self.world.messaging.routed_topic(topic)  # after rewrite; None: delayed
        # through the sessions' topic index, not a walk of every subscription
        subscribed = routed is not None and bool(self.world.sessions.matching(routed))
        msgid = self.world.publish(topic, payload, qos, retain)
        if not subscribed:
            return 202, {
                "reason_code": RC_NO_MATCHING_SUBSCRIBERS,
                "message": "no_matching_subscribers",
            }
        return 200, {"id": msgid}

    async def publish(self, body: dict[str, Any]) -> Response:
        try:
            parts = message(body)
        except Refused as exc:
            return errors.ok(_refusal(exc), 400)
        status, answer = self._send(*parts)
        return errors.ok(answer, status)

    async def publish_bulk(self, body: list[dict[str, Any]]) -> Response:
        try:
            messages = [message(spec) for spec in body]
        except Refused as exc:
            return errors.ok(_refusal(exc), 400)
        results = [self._send(*parts) for parts in messages]
        codes = {status for status, _ in results}
        status = 200 if codes == {200} else 503 if 503 in codes else 202
        return errors.ok([answer for _, answer in results], status)
