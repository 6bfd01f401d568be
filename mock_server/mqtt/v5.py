"""MQTT 5.0 on the wire, through moat-lib-mqtt (the published fork of Alex Grönholm's
sans-I/O `mqttproto`): `decode_packet` on a framed packet's bytes, `encode` for answers.

MQTT 5 message properties travel through the world untouched, under their names in lower
case (`content_type`, `user_property` …); topic aliases are resolved by the connection.
The CONNACK announces the capabilities EMQX 4.4 announces (`emqx_channel:
enrich_connack_caps/2`, from `emqx_mqtt_caps`: retain, wildcard, shared subscriptions and
subscription identifiers available, topic alias maximum 65535, maximum packet size 1 MB).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from moat.lib.mqtt._exceptions import MQTTException
from moat.lib.mqtt._types import (
    MQTTConnAckPacket,
    MQTTConnectPacket,
    MQTTDisconnectPacket,
    MQTTPacket,
    MQTTPingRequestPacket,
    MQTTPingResponsePacket,
    MQTTPublishAckPacket,
    MQTTPublishCompletePacket,
    MQTTPublishPacket,
    MQTTPublishReceivePacket,
    MQTTPublishReleasePacket,
    MQTTSubscribeAckPacket,
    MQTTSubscribePacket,
    MQTTUnsubscribeAckPacket,
    MQTTUnsubscribePacket,
    PropertyType,
    QoS,
    ReasonCode,
    decode_packet,
)

from mqtt_api_kit.fixtures.messaging import WillMessage

from .packets import (
    Ack,
    Connect,
    Disconnect,
    Inbound,
    PingReq,
    Publish,
    Subscribe,
    TopicRequest,
    Unsubscribe,
)
from .v311 import DecodeError

__all__ = ["V5"]

MAX_PACKET_SIZE = 1 << 20  # mqtt.max_packet_size = 1MB
TOPIC_ALIAS_MAX = 65535  # mqtt.max_topic_alias = 65535
# The message properties a broker forwards with a message (MQTT 5 §3.3.2.3).
_FORWARDED = (
    PropertyType.PAYLOAD_FORMAT_INDICATOR,
    PropertyType.MESSAGE_EXPIRY_INTERVAL,
    PropertyType.CONTENT_TYPE,
    PropertyType.RESPONSE_TOPIC,
    PropertyType.CORRELATION_DATA,
)
_ACK_KINDS = {
    MQTTPublishAckPacket: "puback",
    MQTTPublishReceivePacket: "pubrec",
    MQTTPublishReleasePacket: "pubrel",
    MQTTPublishCompletePacket: "pubcomp",
}
_ACK_CLASSES: dict[str, Callable[..., MQTTPacket]] = {k: c for c, k in _ACK_KINDS.items()}


def _encode(packet: MQTTPacket) -> bytes:
    buffer = bytearray()
    packet.encode(buffer)
    return bytes(buffer)


def _properties(
    properties: Mapping[PropertyType, object], user: Mapping[str, str]
) -> dict[str, object]:
    found: dict[str, object] = {
        t.name.lower(): properties[t] for t in _FORWARDED if t in properties
    }
    if user:
        found["user_property"] = dict(user)
    return found


def _reason(code: int) -> ReasonCode:
    return ReasonCode(code)


class V5:
    version = 5

    async def decode(self, header: object, raw: bytes) -> Inbound:
        try:
            _rest, packet = decode_packet(memoryview(raw))
        except MQTTException as exc:
            raise DecodeError(str(exc) or type(exc).__name__) from exc
        except (ValueError, TypeError) as exc:  # attrs validators on decoded fields
            raise DecodeError(str(exc)) from exc
        return _inbound(packet)

    # -- what the broker sends ---------------------------------------------------------------

    def connack(self, reason: int, session_present: bool, assigned: str | None = None) -> bytes:
        properties: dict[PropertyType, object] = {}
        if reason == 0:
            properties = {
                PropertyType.MAXIMUM_PACKET_SIZE: MAX_PACKET_SIZE,
                PropertyType.TOPIC_ALIAS_MAXIMUM: TOPIC_ALIAS_MAX,
            }
            if assigned is not None:
                properties[PropertyType.ASSIGNED_CLIENT_IDENTIFIER] = assigned
        packet = MQTTConnAckPacket(
            reason_code=_reason(reason),
            session_present=session_present and reason == 0,
            properties=properties,  # type: ignore[arg-type]
        )
        return _encode(packet)

    def suback(self, packet_id: int, reasons: list[int]) -> bytes:
        codes = [_reason(r) for r in reasons]
        return _encode(MQTTSubscribeAckPacket(packet_id=packet_id, reason_codes=codes))

    def unsuback(self, packet_id: int, reasons: list[int]) -> bytes:
        codes = [_reason(r) for r in reasons]
        return _encode(MQTTUnsubscribeAckPacket(packet_id=packet_id, reason_codes=codes))

    def publish(
        self,
        topic: str,
        payload: bytes,
        qos: int,
        retain: bool,
        packet_id: int | None,
        dup: bool = False,
        subscription_identifier: int | None = None,
        properties: Mapping[str, object] | None = None,
    ) -> bytes:
        props: dict[PropertyType, object] = {}
        user: dict[str, str] = {}
        for name, value in (properties or {}).items():
            if name == "user_property" and isinstance(value, Mapping):
                user = {str(k): str(v) for k, v in value.items()}
            else:
                props[PropertyType[name.upper()]] = value
        if subscription_identifier:
            props[PropertyType.SUBSCRIPTION_IDENTIFIER] = subscription_identifier
        packet = MQTTPublishPacket(
            topic=topic,
            payload=payload,
            qos=QoS(qos),
            retain=retain,
            packet_id=packet_id,
            duplicate=dup,
            properties=props,  # type: ignore[arg-type]
            user_properties=user,
        )
        return _encode(packet)

    def ack(self, kind: str, packet_id: int, reason: int = 0) -> bytes:
        cls = _ACK_CLASSES[kind]
        return _encode(cls(packet_id=packet_id, reason_code=_reason(reason)))

    def pingresp(self) -> bytes:
        return _encode(MQTTPingResponsePacket())

    def disconnect(self, reason: int) -> bytes | None:
        return _encode(MQTTDisconnectPacket(reason_code=_reason(reason)))


def _inbound(packet: MQTTPacket) -> Inbound:
    if isinstance(packet, MQTTConnectPacket):
        will = None
        if packet.will is not None:
            payload = packet.will.payload
            data = payload.encode() if isinstance(payload, str) else bytes(payload)
            will = WillMessage(
                packet.will.topic,
                data,
                int(packet.will.qos),
                packet.will.retain,
                _properties(packet.will.properties, packet.will.user_properties),
            )
        expiry = packet.properties.get(PropertyType.SESSION_EXPIRY_INTERVAL, 0)
        return Connect(
            proto_name="MQTT",
            proto_ver=5,
            clientid=packet.client_id,
            username=packet.username,
            password=packet.password.encode() if packet.password is not None else None,
            clean_start=packet.clean_start,
            keepalive=packet.keep_alive,
            session_expiry=_int(expiry),
            will=will,
        )
    if isinstance(packet, MQTTPublishPacket):
        payload = packet.payload
        alias = packet.properties.get(PropertyType.TOPIC_ALIAS)
        return Publish(
            topic=packet.topic,
            payload=payload.encode() if isinstance(payload, str) else bytes(payload),
            qos=int(packet.qos),
            retain=packet.retain,
            dup=packet.duplicate,
            packet_id=packet.packet_id,
            properties=_properties(packet.properties, packet.user_properties),
            topic_alias=_int(alias) if alias is not None else None,
        )
    kind = _ACK_KINDS.get(type(packet))
    if kind is not None:
        return Ack(kind, packet.packet_id, int(packet.reason_code))  # type: ignore[attr-defined]
    if isinstance(packet, MQTTSubscribePacket):
        ident = packet.properties.get(PropertyType.SUBSCRIPTION_IDENTIFIER)
        topics = [
            TopicRequest(
                s.pattern.pattern,
                int(s.max_qos),
                s.no_local,
                s.retain_as_published,
                int(s.retain_handling),
            )
            for s in packet.subscriptions
        ]
        return Subscribe(packet.packet_id, topics, _int(ident) if ident else None)
    if isinstance(packet, MQTTUnsubscribePacket):
        return Unsubscribe(packet.packet_id, [p.pattern for p in packet.patterns])
    if isinstance(packet, MQTTPingRequestPacket):
        return PingReq()
    if isinstance(packet, MQTTDisconnectPacket):
        ends = packet.properties.get(PropertyType.SESSION_EXPIRY_INTERVAL)
        return Disconnect(int(packet.reason_code), _int(ends) if ends is not None else None)
    raise DecodeError(f"a client does not send {type(packet).__name__} here")


def _int(value: object) -> int:
    """A numeric property's value: moat-lib-mqtt types every property value as one union (text,
    bytes, int, pair, list); the numeric ones decode as int, anything else is malformed."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise DecodeError(f"a numeric property holds {type(value).__name__}")
