"""How 4.4.19 reads publish/subscribe/unsubscribe bodies (emqx_mgmt_api_pubsub), as pure
functions over the decoded JSON: the handlers use them for accepted bodies, and the dialect's
bad-request answer uses them for bodies the document rejects, so both answer alike.

Check order: subscribe `clientid` (108) → topics (115) → `qos` (116) → client (112);
unsubscribe `clientid` → `topic` → client; publish: parsing (108 `bad_params`) → `clientid`
(108) → topics (115).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from mqtt_api_kit.fixtures.topics import is_filter, is_name

from .errors import BAD_PARAMETER, BAD_QOS, NO_VALID_TOPIC

PROPERTY_KEYS = frozenset(
    {
        "payload_format_indicator",
        "message_expiry_interval",
        "response_topic",
        "correlation_data",
        "user_properties",
        "subscription_identifier",
        "content_type",
    }
)


class Refusal(Exception):
    """The broker's business error for a body: `code` and `message`."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def clientid_of(params: dict[str, Any], required: bool) -> str | None:
    value = params.get("clientid")
    if value is None and not required and "clientid" not in params:
        return None
    if not isinstance(value, str):
        raise Refusal(BAD_PARAMETER, "bad clientid: must be string")
    return value


def topics_of(params: dict[str, Any], valid: Any) -> list[str]:
    """`topic` wins over the comma-separated `topics`; invalid entries are silently dropped."""
    if "topic" in params:
        candidates = [params["topic"]]
    elif isinstance(params.get("topics"), str):
        candidates = params["topics"].split(",")
    else:
        candidates = []
    found = [t for t in candidates if isinstance(t, str) and valid(t)]
    if not found:
        raise Refusal(NO_VALID_TOPIC, "bad_topic")
    return found


@dataclass(frozen=True, slots=True)
class Subscribe:
    clientid: str
    topics: list[str]
    qos: int


def subscribe(params: dict[str, Any]) -> Subscribe:
    clientid = clientid_of(params, required=True)
    topics = topics_of(params, is_filter)
    qos = params.get("qos", 0)
    if not _is_int(qos) or qos not in (0, 1, 2):
        raise Refusal(BAD_QOS, "bad_qos")
    return Subscribe(str(clientid), topics, qos)


def unsubscribe(params: dict[str, Any]) -> tuple[str, str]:
    clientid = clientid_of(params, required=True)
    topic = params.get("topic")
    if not isinstance(topic, str) or not is_filter(topic):
        raise Refusal(NO_VALID_TOPIC, "bad_topic")
    return str(clientid), topic


@dataclass(frozen=True, slots=True)
class Publish:
    clientid: str
    topics: list[str]
    payload: bytes
    qos: int
    retain: bool
    multi: bool  # the body had a `topics` key: the reply lists `msgids`
    wants_ids: bool  # the body had a `return` key


def publish(params: dict[str, Any]) -> Publish:
    payload = _payload(params)
    _properties(params)
    qos, retain = params.get("qos", 0), params.get("retain", False)
    if not _is_int(qos) or qos not in (0, 1, 2):
        # emqx_message:make/6's guard (or emqx_metrics:inc_msg/1's case, for 1.0) crashes
        # outside the handler's try: the broker's 500; refused here (the document says so).
        raise Refusal(BAD_PARAMETER, "bad_params")
    clientid = clientid_of(params, required=False)
    topics = topics_of(params, is_name)
    if "topic" in params:
        topics = topics[:1]
    # `retain` is put in the message flags as sent; the retainer keeps a message only for
    # `#{retain := true}` (emqx_retainer:on_message_publish/2), so "false", 1… do not retain.
    return Publish(
        clientid or "",
        topics,
        payload,
        qos,
        retain is True,
        "topics" in params,
        "return" in params,
    )


def _payload(params: dict[str, Any]) -> bytes:
    """decode_payload/2 then maybe_maps_to_binary/1: `base64` decodes a text payload (any
    other payload crashes base64:decode/1: 108); a payload that is not text is then sent as
    its JSON text (emqx_json:encode/1: objects, arrays, numbers, booleans, null)."""
    payload = params.get("payload", "")
    try:
        if params.get("encoding") == "base64":
            if not isinstance(payload, str):
                raise Refusal(BAD_PARAMETER, "bad_params")
            try:
                return base64.b64decode(payload.encode(), validate=True)
            except (binascii.Error, ValueError):
                raise Refusal(BAD_PARAMETER, "bad_params") from None
        if isinstance(payload, str):
            return payload.encode()
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    except UnicodeEncodeError:  # a lone surrogate: not UTF-8, no MQTT payload text
        raise Refusal(BAD_PARAMETER, "bad_params") from None


def _properties(params: dict[str, Any]) -> None:
    props = params.get("properties", {})
    user = params.get("user_properties", {})
    if not isinstance(props, dict) or not PROPERTY_KEYS.issuperset(props):
        raise Refusal(BAD_PARAMETER, "bad_params")
    for bag in (user, props.get("user_properties", {})):
        if not isinstance(bag, dict) or not all(
            isinstance(v, (str, int, float, bool)) for v in bag.values()
        ):
            raise Refusal(BAD_PARAMETER, "bad_params")
