"""MQTT 3.1 and 3.1.1 on the wire, through amqtt's packet classes (`amqtt.mqtt`).

amqtt is the maintained asyncio broker whose codec speaks 3.1.1 (its broker refuses level 5);
its packets decode from a stream, so each packet's bytes, already framed by `framing.py`, are
replayed through a `StreamReader`. Reason codes come in as MQTT 5's and leave as 3.1.1's
return codes, mapped as EMQX maps them (`emqx_reason_codes:compat/2`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from amqtt.adapters import StreamReaderAdapter
from amqtt.mqtt import packet_class
from amqtt.mqtt.connack import ConnackPacket
from amqtt.mqtt.connect import ConnectPacket, ConnectVariableHeader
from amqtt.mqtt.packet import (
    CONNECT,
    DISCONNECT,
    PINGREQ,
    PUBACK,
    PUBCOMP,
    PUBLISH,
    PUBREC,
    PUBREL,
    SUBSCRIBE,
    UNSUBSCRIBE,
    MQTTFixedHeader,
)
from amqtt.mqtt.pingresp import PingRespPacket
from amqtt.mqtt.puback import PubackPacket
from amqtt.mqtt.pubcomp import PubcompPacket
from amqtt.mqtt.publish import PublishPacket
from amqtt.mqtt.pubrec import PubrecPacket
from amqtt.mqtt.pubrel import PubrelPacket
from amqtt.mqtt.suback import SubackPacket
from amqtt.mqtt.unsuback import UnsubackPacket

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

__all__ = ["V311"]

# emqx_reason_codes:compat(connack, …): MQTT 5 reason → MQTT 3.1.1 CONNACK return code.
_CONNACK = {
    0x00: 0,
    0x80: 1,
    0x81: 1,
    0x82: 1,
    0x83: 1,
    0x84: 1,
    0x85: 2,
    0x86: 4,
    0x87: 5,
    0x88: 3,
    0x89: 3,
    0x8A: 5,
    0x8B: 3,
    0x8C: 5,
    0x90: 3,
    0x97: 3,
    0x9C: 3,
    0x9D: 3,
    0x9F: 3,
}
_ACKS = {PUBACK: "puback", PUBREC: "pubrec", PUBREL: "pubrel", PUBCOMP: "pubcomp"}


class DecodeError(Exception):
    """Bytes that are not a packet this protocol version allows."""


def _reader(header: MQTTFixedHeader, body: bytes) -> StreamReaderAdapter:
    stream = asyncio.StreamReader()
    stream.feed_data(body)
    stream.feed_eof()
    return StreamReaderAdapter(stream)


async def protocol_level(header: MQTTFixedHeader, body: bytes) -> tuple[str, int]:
    """The protocol name and level a CONNECT announces (its first fields in every version)."""
    variable = await ConnectVariableHeader.from_stream(_reader(header, body), header)
    return variable.proto_name, variable.proto_level


class V311:
    version = 4

    def __init__(self, level: int = 4) -> None:
        self.version = level  # 3 for MQTT 3.1 ("MQIsdp"), 4 for 3.1.1

    async def decode(self, header: MQTTFixedHeader, body: bytes) -> Inbound:
        kind = header.packet_type
        if kind == PINGREQ:
            return PingReq()
        if kind == DISCONNECT:
            return Disconnect()
        try:
            packet = await packet_class(header).from_stream(
                _reader(header, body), fixed_header=header
            )
        except Exception as exc:  # amqtt raises its own and plain errors on bad bytes
            raise DecodeError(str(exc)) from exc
        if kind == CONNECT:
            return _connect(packet)
        if kind == PUBLISH:
            return Publish(
                topic=packet.topic_name or "",
                payload=bytes(packet.data or b""),
                qos=packet.qos or 0,
                retain=packet.retain_flag,
                dup=packet.dup_flag,
                packet_id=packet.packet_id,
            )
        pid = packet.variable_header.packet_id if packet.variable_header else 0
        if kind in _ACKS:
            return Ack(_ACKS[kind], pid)
        if kind == SUBSCRIBE:
            topics = [TopicRequest(t, q) for t, q in packet.payload.topics]
            if not topics or any(q > 2 for _, q in packet.payload.topics):
                raise DecodeError("SUBSCRIBE with no topic or a QoS above 2")
            return Subscribe(pid, topics)
        if kind == UNSUBSCRIBE:
            if not packet.payload.topics:
                raise DecodeError("UNSUBSCRIBE with no topic")
            return Unsubscribe(pid, list(packet.payload.topics))
        raise DecodeError(f"a client does not send packet type {kind}")

    # -- what the broker sends ---------------------------------------------------------------

    def connack(self, reason: int, session_present: bool, assigned: str | None = None) -> bytes:
        code = _CONNACK.get(reason, 3)
        return _bytes(ConnackPacket.build(int(session_present and code == 0), code))

    def suback(self, packet_id: int, reasons: list[int]) -> bytes:
        codes = [r if r <= 2 else 0x80 for r in reasons]  # compat(suback, …)
        return _bytes(SubackPacket.build(packet_id, codes))

    def unsuback(self, packet_id: int, reasons: list[int]) -> bytes:
        return _bytes(UnsubackPacket.build(packet_id))

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
        return _bytes(PublishPacket.build(topic, payload, packet_id, dup, qos, retain))

    def ack(self, kind: str, packet_id: int, reason: int = 0) -> bytes:
        cls = {
            "puback": PubackPacket,
            "pubrec": PubrecPacket,
            "pubrel": PubrelPacket,
            "pubcomp": PubcompPacket,
        }[kind]
        return _bytes(cls.build(packet_id))

    def pingresp(self) -> bytes:
        return _bytes(PingRespPacket.build())

    def disconnect(self, reason: int) -> bytes | None:
        """MQTT 3.1.1 has no server DISCONNECT: the server just closes."""
        return None


def _connect(packet: ConnectPacket) -> Connect:
    will = None
    if packet.will_flag and packet.will_topic is not None:
        will = WillMessage(
            packet.will_topic,
            bytes(packet.will_message or b""),
            packet.will_qos or 0,
            packet.will_retain_flag,
        )
    password = packet.password
    return Connect(
        proto_name=packet.proto_name,
        proto_ver=packet.proto_level,
        clientid="" if packet.payload.client_id_is_random else (packet.client_id or ""),
        username=packet.username if packet.username_flag else None,
        password=password.encode() if password is not None else None,
        clean_start=packet.clean_session_flag,
        keepalive=packet.keep_alive,
        session_expiry=None,
        will=will,
    )


def _bytes(packet: Any) -> bytes:
    """An amqtt packet's wire form (amqtt is untyped: its `to_bytes()` reads as Any)."""
    data = packet.to_bytes()
    if not isinstance(data, (bytes, bytearray)):
        raise TypeError(f"amqtt encoded {type(packet).__name__} as {type(data).__name__}")
    return bytes(data)
