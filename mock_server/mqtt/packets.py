"""The packets a broker reads, independent of the protocol version and of the codec library.

`v311.py` (amqtt) and `v5.py` (moat-lib-mqtt) decode wire bytes into these and encode the
broker's answers from plain arguments; `session.py` works on these only. Reason codes are
MQTT 5's everywhere; the 3.1.1 codec maps them to the older return codes as EMQX does
(`emqx_reason_codes:compat/2`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from mqtt_api_kit.fixtures.messaging import WillMessage

__all__ = [
    "Ack",
    "Connect",
    "Disconnect",
    "Inbound",
    "PingReq",
    "Publish",
    "Subscribe",
    "TopicRequest",
    "Unsubscribe",
]


@dataclass(frozen=True, slots=True)
class Connect:
    proto_name: str
    proto_ver: int
    clientid: str
    username: str | None
    password: bytes | None
    clean_start: bool
    keepalive: int
    session_expiry: int | None  # MQTT 5 property, None for 3.x
    will: WillMessage | None


@dataclass(frozen=True, slots=True)
class Publish:
    topic: str
    payload: bytes
    qos: int
    retain: bool
    dup: bool
    packet_id: int | None
    properties: Mapping[str, object] = field(default_factory=dict)
    topic_alias: int | None = None


@dataclass(frozen=True, slots=True)
class Ack:
    kind: str  # "puback" | "pubrec" | "pubrel" | "pubcomp"
    packet_id: int
    reason: int = 0


@dataclass(frozen=True, slots=True)
class TopicRequest:
    topic: str  # as sent, `$share/<group>/…` included
    qos: int
    no_local: bool = False
    retain_as_published: bool = False
    retain_handling: int = 0


@dataclass(frozen=True, slots=True)
class Subscribe:
    packet_id: int
    topics: Sequence[TopicRequest]
    subscription_identifier: int | None = None


@dataclass(frozen=True, slots=True)
class Unsubscribe:
    packet_id: int
    topics: Sequence[str]


@dataclass(frozen=True, slots=True)
class PingReq:
    pass


@dataclass(frozen=True, slots=True)
class Disconnect:
    reason: int = 0
    session_expiry: int | None = None


Inbound = Connect | Publish | Ack | Subscribe | Unsubscribe | PingReq | Disconnect
