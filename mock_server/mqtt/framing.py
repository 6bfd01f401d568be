"""Cutting a byte stream into MQTT packets, and telling which protocol version speaks.

The fixed header (type, flags, remaining length) is the same in every version; amqtt's
`MQTTFixedHeader` reads it. A packet larger than `mqtt.max_packet_size` (1 MB in a stock
EMQX 4.4) is refused before its body is read, so nothing is buffered without bound.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from amqtt.adapters import StreamReaderAdapter
from amqtt.errors import MQTTError
from amqtt.mqtt.packet import CONNECT, MQTTFixedHeader

from .v311 import DecodeError, protocol_level

__all__ = ["MAX_PACKET_SIZE", "Frame", "TooLarge", "read_frame", "sniff_version"]

MAX_PACKET_SIZE = 1 << 20  # mqtt.max_packet_size = 1MB


class TooLarge(Exception):
    """A packet above the maximum packet size."""


@dataclass(frozen=True, slots=True)
class Frame:
    header: MQTTFixedHeader
    body: bytes

    @property
    def raw(self) -> bytes:
        head: bytes = self.header.to_bytes()  # amqtt is untyped
        return head + self.body

    @property
    def size(self) -> int:
        return len(self.header.to_bytes()) + len(self.body)


async def read_frame(reader: asyncio.StreamReader, limit: int = MAX_PACKET_SIZE) -> Frame | None:
    """The next packet, None when the peer closed cleanly between packets."""
    try:
        header = await MQTTFixedHeader.from_stream(StreamReaderAdapter(reader))
    except MQTTError as exc:
        raise DecodeError(str(exc)) from exc
    except (asyncio.IncompleteReadError, ConnectionError):
        return None
    if header is None:
        return None
    if header.remaining_length > limit:
        raise TooLarge(header.remaining_length)
    try:
        body = await reader.readexactly(header.remaining_length)
    except asyncio.IncompleteReadError:
        return None
    return Frame(header, body)


async def sniff_version(frame: Frame) -> tuple[str, int]:
    """(protocol name, level) of a CONNECT; DecodeError for any other first packet."""
    if frame.header.packet_type != CONNECT:
        raise DecodeError("the first packet of a connection must be CONNECT")
    try:
        return await protocol_level(frame.header, frame.body)
    except Exception as exc:  # amqtt's decoders raise their own and plain errors
        raise DecodeError(str(exc)) from exc
