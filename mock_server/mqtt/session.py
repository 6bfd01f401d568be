"""One MQTT connection: the broker's half of the protocol, over the world's writes.

Follows EMQX 4.4.19's `emqx_channel.erl` and `emqx_connection.erl`:

* the first packet must be CONNECT within `idle_timeout` (15 s); its protocol level picks the
  codec (3/4: `v311.py`, 5: `v5.py`); an unknown level is answered "unacceptable protocol
  version"; an empty client id gets one assigned with clean start (MQTT 5 returns it in the
  CONNACK), and is refused without (0x85);
* admission, sessions, ACL checks and packet statistics are `world.channels` writes;
  SUBSCRIBE, UNSUBSCRIBE and PUBLISH are the same writes the APIs use;
* keepalive: checked every 0.75 × keepalive (`keepalive_backoff`), and two checks in a row
  without a byte received close the connection (`emqx_keepalive:check/2`, MQTT 5 0x8D);
* a PUBLISH the ACL denies is not routed; QoS 1/2 acknowledge it with 0x87
  (`acl_deny_action = ignore`); a DISCONNECT discards the will (0x04 keeps it); a socket
  that closes without one, or a keepalive timeout, publishes it.

What the world ends (a kick, an API disconnect, a takeover by a newer connection) reaches
here through `close_by_world`, which writes MQTT 5's DISCONNECT (0x98 administrative action,
0x8E session taken over) and closes without writing the world again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import string
from collections import deque
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from mqtt_api_kit.fixtures.auto_subscribe import topic_table
from mqtt_api_kit.fixtures.channels import ConnectInfo
from mqtt_api_kit.fixtures.messaging import Delivery
from mqtt_api_kit.fixtures.topics import is_filter, is_name, share_key, split_share

from .framing import Frame, TooLarge, read_frame, sniff_version
from .packets import (
    Ack,
    Connect,
    Disconnect,
    Inbound,
    PingReq,
    Publish,
    Subscribe,
    Unsubscribe,
)
from .transport import Transport
from .v5 import V5
from .v311 import V311, DecodeError

if TYPE_CHECKING:
    from .broker import Broker

__all__ = ["Connection"]

log = logging.getLogger(__name__)

IDLE_TIMEOUT = 15.0  # zone.external.idle_timeout = 15s
KEEPALIVE_BACKOFF = 0.75  # zone.external.keepalive_backoff = 0.75
RC_DISCONNECT_WITH_WILL, RC_NO_SUBSCRIPTION = 0x04, 0x11
RC_MALFORMED, RC_PROTOCOL_ERROR, RC_BAD_PROTOCOL_VERSION = 0x81, 0x82, 0x84
RC_CLIENT_ID_INVALID, RC_NOT_AUTHORIZED, RC_SESSION_TAKEN_OVER = 0x85, 0x87, 0x8E
RC_KEEPALIVE_TIMEOUT, RC_FILTER_INVALID, RC_TOPIC_INVALID = 0x8D, 0x8F, 0x90
RC_PACKET_ID_IN_USE, RC_TOO_LARGE, RC_ADMINISTRATIVE = 0x91, 0x95, 0x98
RC_TOPIC_ALIAS_INVALID = 0x94
BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase


class Codec(Protocol):
    version: int

    # `header` is amqtt's MQTTFixedHeader (untyped: Any); V5 reads the raw frame instead
    async def decode(self, header: Any, raw: bytes, /) -> Inbound: ...
    def connack(self, reason: int, session_present: bool, assigned: str | None = None) -> bytes: ...
    def suback(self, packet_id: int, reasons: list[int]) -> bytes: ...
    def unsuback(self, packet_id: int, reasons: list[int]) -> bytes: ...
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
    ) -> bytes: ...
    def ack(self, kind: str, packet_id: int, reason: int = 0) -> bytes: ...
    def pingresp(self) -> bytes: ...
    def disconnect(self, reason: int) -> bytes | None: ...


def assigned_clientid() -> str:
    """A 128-bit id in base 62, as `emqx_guid:to_base62(emqx_guid:gen())` assigns."""
    value, digits = secrets.randbits(128), []
    while value:
        value, rest = divmod(value, 62)
        digits.append(BASE62[rest])
    return "".join(reversed(digits)) or "0"


class Connection:
    def __init__(self, broker: Broker, transport: Transport) -> None:
        self.broker, self.transport = broker, transport
        self.world = broker.world
        self.clientid: str | None = None
        self.node: str | None = None
        self.codec: Codec | None = None
        self._received = 0  # packets read, for the keepalive check
        self._inflight: dict[int, str] = {}  # packet id → the ack we wait for
        self._awaiting_rel: set[int] = set()  # QoS 2 packet ids received, PUBREL not yet
        self._next_id = 0
        self._aliases: dict[int, str] = {}
        self._outbox: deque[bytes | tuple[Delivery, bool]] = deque()
        self._wake = asyncio.Event()
        self._ended_by_world: int | None = None  # the reason, once the world closed us
        self._closing = False
        self._done = asyncio.Event()

    # -- the broker's calls (from world hooks: no world writes here) -------------------------

    def enqueue(self, delivery: Delivery, counted: bool = True) -> None:
        """A message for this session; `counted`: the world already counted it as sent."""
        self._outbox.append((delivery, counted))
        self._wake.set()

    def close_by_world(self, reason: int = RC_ADMINISTRATIVE) -> None:
        if self._ended_by_world is None:
            self._ended_by_world = reason
            self._wake.set()

    # -- the connection's life ---------------------------------------------------------------

    async def run(self) -> None:
        pump: asyncio.Task[None] | None = None
        watchdog: asyncio.Task[None] | None = None
        reading: asyncio.Task[None] | None = None
        try:
            if not await self._handshake():
                return
            pump = asyncio.ensure_future(self._pump())
            reading = asyncio.ensure_future(self._read_loop())
            client = self.world.client(self.clientid or "")
            if client is not None and client.keepalive:
                watchdog = asyncio.ensure_future(self._keepalive(client.keepalive))
            await reading
        except Exception:  # a bug must close one connection, never the listener
            log.exception("MQTT connection from %s:%s failed", *self.transport.peer)
            self._abandon(publish_will=True)
        finally:
            for task in (watchdog, reading):
                if task is not None:
                    task.cancel()
            if pump is not None:
                self._closing = True
                self._wake.set()
                with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
                    await asyncio.wait_for(pump, 2)
            await self.transport.close()
            self._done.set()

    def _ended(self) -> bool:
        """Whether the world ended this session (a kick): asked again after every await, as
        the world may close us while we wait for a frame."""
        return self._ended_by_world is not None

    async def _read_loop(self) -> None:
        while True:
            if self._ended():
                return
            try:
                frame = await read_frame(self.transport.reader)
            except TooLarge:
                self._send_disconnect(RC_TOO_LARGE)
                self._abandon(publish_will=True)
                return
            except DecodeError:
                self._send_disconnect(RC_MALFORMED)
                self._abandon(publish_will=True)
                return
            if self._ended():
                return
            if frame is None:
                self._abandon(publish_will=True)  # the socket closed without DISCONNECT
                return
            self._received += 1
            if not await self._handle(frame):
                return

    async def _handshake(self) -> bool:
        try:
            frame = await asyncio.wait_for(read_frame(self.transport.reader), IDLE_TIMEOUT)
        except (asyncio.TimeoutError, TooLarge, DecodeError):
            return False
        if frame is None:
            return False
        try:
            name, level = await sniff_version(frame)
        except DecodeError:
            return False
        if level not in (3, 4, 5) or (name, level) not in (("MQIsdp", 3), ("MQTT", 4), ("MQTT", 5)):
            self.transport.send(V311().connack(RC_BAD_PROTOCOL_VERSION, False))
            return False
        codec: Codec = V5() if level == 5 else V311(level)
        self.codec = codec
        try:
            packet = await codec.decode(frame.header, frame.raw if level == 5 else frame.body)
        except DecodeError:
            return False
        if not isinstance(packet, Connect):
            return False
        return self._connect(packet, frame)

    def _connect(self, packet: Connect, frame: Frame) -> bool:
        assert self.codec is not None
        clientid, assigned = packet.clientid, None
        channels = self.world.channels
        if not clientid:
            if not packet.clean_start:
                return self._refuse(RC_CLIENT_ID_INVALID, frame, "emqx")
            clientid = assigned = assigned_clientid()
        node = channels.node_for(clientid)
        if node is None:
            return False
        self.node = node
        host, port = self.transport.peer
        info = ConnectInfo(
            clientid=clientid,
            username=packet.username or None,
            ip_address=host,
            port=port,
            proto_name=packet.proto_name,
            proto_ver=packet.proto_ver,
            clean_start=packet.clean_start,
            keepalive=packet.keepalive,
            session_expiry=packet.session_expiry,
            listener=self.transport.listener,
            will=packet.will,
        )
        with self.broker.taking_over(clientid):
            admission = channels.connect(info, packet.password)
        admitted = None if admission.client is None else clientid
        node = admission.client.node if admission.client is not None else node
        channels.traffic(node, admitted, True, "connect")
        channels.octets(node, admitted, True, frame.size)
        if admission.reason or admission.client is None:
            return self._refuse(admission.reason or 0x80, frame, clientid)
        self.clientid, self.node = clientid, node
        ack = self.codec.connack(0, admission.session_present, assigned if self.v5 else None)
        self._write(ack, "connack")
        self.broker.register(self, admission.session_present)
        self._auto_subscribe(info.username, host, port)
        return True

    def _auto_subscribe(self, username: str | None, host: str, port: int) -> None:
        """EMQX 5's auto subscribe after the CONNACK (fixtures/auto_subscribe.py): the
        channel subscribes itself, and the retainer answers as for any new subscription."""
        assert self.clientid is not None
        configured = self.world.settings.get("auto_subscribe")
        topics = configured.get("topics") if isinstance(configured, dict) else None
        if not topics:
            return
        for auto in topic_table(topics, self.clientid, username, host, port):
            existed = any(
                _topic_of(s.group, s.topic) == auto.topic
                for s in self.world.subscriptions_of(self.clientid)
            )
            self.world.sessions.subscribe(
                self.clientid,
                auto.topic,
                auto.qos,
                no_local=bool(auto.nl),
                retain_as_published=bool(auto.rap),
                retain_handling=auto.rh,
            )
            send = auto.rh == 0 or (auto.rh == 1 and not existed)
            if send and split_share(auto.topic)[0] is None:
                self.world.messaging.send_retained(self.clientid, auto.topic, auto.qos)

    def _refuse(self, reason: int, frame: Frame, clientid: str) -> bool:
        assert self.codec is not None
        node = self.node or self.world.channels.node_for(clientid)
        data = self.codec.connack(reason, False)
        self.transport.send(data)
        if node is not None:
            wire = reason if self.v5 else data[-1]
            self.world.channels.traffic(node, None, False, "connack", reason=wire)
            self.world.channels.octets(node, None, False, len(data))
        return False

    @property
    def v5(self) -> bool:
        return self.codec is not None and self.codec.version == 5

    # -- packets from the client -------------------------------------------------------------

    async def _handle(self, frame: Frame) -> bool:
        assert self.codec is not None and self.clientid is not None and self.node is not None
        channels = self.world.channels
        channels.octets(self.node, self.clientid, True, frame.size)
        try:
            packet = await self.codec.decode(frame.header, frame.raw if self.v5 else frame.body)
        except DecodeError:
            self._send_disconnect(RC_MALFORMED)
            self._abandon(publish_will=True)
            return False
        if isinstance(packet, Publish):
            channels.traffic(self.node, self.clientid, True, "publish", packet.qos)
            return self._publish(packet)
        kind = _kind(packet)
        channels.traffic(self.node, self.clientid, True, kind, missed=self._missed(packet))
        if isinstance(packet, Connect):  # a second CONNECT is a protocol error
            self._send_disconnect(RC_PROTOCOL_ERROR)
            self._abandon(publish_will=True)
            return False
        if isinstance(packet, PingReq):
            self._write(self.codec.pingresp(), "pingresp")
        elif isinstance(packet, Subscribe):
            self._subscribe(packet)
        elif isinstance(packet, Unsubscribe):
            self._unsubscribe(packet)
        elif isinstance(packet, Ack):
            self._ack(packet)
        elif isinstance(packet, Disconnect):
            if packet.reason != RC_DISCONNECT_WITH_WILL:
                self.world.messaging.set_will(self.clientid, None)
            self._abandon(publish_will=packet.reason == RC_DISCONNECT_WITH_WILL)
            return False
        return True

    def _missed(self, packet: object) -> bool:
        if isinstance(packet, Ack) and packet.kind in ("puback", "pubrec", "pubcomp"):
            return packet.packet_id not in self._inflight
        if isinstance(packet, Ack) and packet.kind == "pubrel":
            return packet.packet_id not in self._awaiting_rel
        return False

    def _publish(self, packet: Publish) -> bool:
        assert self.codec is not None and self.clientid is not None
        topic = packet.topic
        if packet.topic_alias is not None:
            if not self.v5 or not 0 < packet.topic_alias <= 65535:
                return self._protocol_end(RC_TOPIC_ALIAS_INVALID)
            if topic:
                self._aliases[packet.topic_alias] = topic
            else:
                topic = self._aliases.get(packet.topic_alias, "")
        if not is_name(topic) or packet.qos > 2:
            return self._protocol_end(RC_TOPIC_INVALID)
        pid = packet.packet_id
        if packet.qos == 2 and pid in self._awaiting_rel:
            # emqx_session:publish/3: the packet id is in use, the message is not routed again
            self._write(self.codec.ack("pubrec", pid, RC_PACKET_ID_IN_USE), "pubrec")
            return True
        allowed = self.world.channels.check_acl(self.clientid, "publish", topic) == "allow"
        if allowed:
            self.world.messaging.publish(
                topic,
                packet.payload,
                packet.qos,
                packet.retain,
                self.clientid,
                node=self.node,
                properties=packet.properties,
            )
        reason = 0 if allowed else RC_NOT_AUTHORIZED
        if packet.qos == 1 and pid is not None:
            self._write(self.codec.ack("puback", pid, reason), "puback", reason)
        elif packet.qos == 2 and pid is not None:
            if allowed:
                self._awaiting_rel.add(pid)
            self._write(self.codec.ack("pubrec", pid, reason), "pubrec", reason)
        return True

    def _subscribe(self, packet: Subscribe) -> None:
        assert self.codec is not None and self.clientid is not None
        reasons: list[int] = []
        granted: list[tuple[str, int, bool]] = []
        for request in packet.topics:
            existed = any(
                _topic_of(s.group, s.topic) == request.topic
                for s in self.world.subscriptions_of(self.clientid)
            )
            if not is_filter(request.topic) or request.qos > 2:
                reasons.append(RC_FILTER_INVALID)
                continue
            if self.world.channels.check_acl(self.clientid, "subscribe", request.topic) != "allow":
                reasons.append(RC_NOT_AUTHORIZED)
                continue
            self.world.sessions.subscribe(
                self.clientid,
                request.topic,
                request.qos,
                no_local=request.no_local,
                retain_as_published=request.retain_as_published,
                retain_handling=request.retain_handling,
                subscription_identifier=packet.subscription_identifier,
            )
            reasons.append(request.qos)
            send = request.retain_handling == 0 or (request.retain_handling == 1 and not existed)
            granted.append((request.topic, request.qos, send))
        self._write(self.codec.suback(packet.packet_id, reasons), "suback")
        for topic, qos, send in granted:
            # The retainer skips shared subscriptions (emqx_retainer:on_session_subscribed/3).
            if send and split_share(topic)[0] is None:
                self.world.messaging.send_retained(self.clientid, topic, qos)

    def _unsubscribe(self, packet: Unsubscribe) -> None:
        assert self.codec is not None and self.clientid is not None
        reasons = []
        for topic in packet.topics:
            held = {_topic_of(s.group, s.topic) for s in self.world.subscriptions_of(self.clientid)}
            self.world.unsubscribe(self.clientid, topic)
            reasons.append(0 if topic in held else RC_NO_SUBSCRIPTION)
        self._write(self.codec.unsuback(packet.packet_id, reasons), "unsuback")

    def _ack(self, packet: Ack) -> None:
        assert self.codec is not None
        pid = packet.packet_id
        if packet.kind == "puback" or packet.kind == "pubcomp":
            self._inflight.pop(pid, None)
        elif packet.kind == "pubrec":
            if self._inflight.get(pid) == "pubrec":
                self._inflight[pid] = "pubcomp"
            self._write(self.codec.ack("pubrel", pid), "pubrel")
        elif packet.kind == "pubrel":
            self._awaiting_rel.discard(pid)
            self._write(self.codec.ack("pubcomp", pid), "pubcomp")

    # -- ends --------------------------------------------------------------------------------

    def _protocol_end(self, reason: int) -> bool:
        self._send_disconnect(reason)
        self._abandon(publish_will=True)
        return False

    def _abandon(self, publish_will: bool) -> None:
        """The connection ends from this side: the world learns it (once)."""
        if self.clientid is None or self._ended_by_world is not None:
            return
        clientid, self.clientid = self.clientid, None
        self.broker.unregister(self, clientid)
        self.world.disconnect(clientid, publish_will=publish_will)
        self.broker.went_offline(clientid)

    def _send_disconnect(self, reason: int) -> None:
        if self.codec is not None and self.v5:
            data = self.codec.disconnect(reason)
            if data is not None:
                self._write(data, "disconnect", reason)

    async def _keepalive(self, seconds: int) -> None:
        interval, last, repeat = seconds * KEEPALIVE_BACKOFF, -1, 0
        while True:
            await asyncio.sleep(interval)
            if self._received != last:
                last, repeat = self._received, 0
                continue
            if repeat < 1:
                repeat += 1
                continue
            self._send_disconnect(RC_KEEPALIVE_TIMEOUT)
            self._abandon(publish_will=True)
            self.transport.reader.feed_eof()
            return

    # -- packets to the client ---------------------------------------------------------------

    def _write(self, data: bytes, kind: str, reason: int = 0) -> None:
        """A broker packet other than a delivery: counted, then queued in order."""
        if self.node is not None:
            channels = self.world.channels
            channels.traffic(self.node, self.clientid, False, kind, reason=reason)
            channels.octets(self.node, self.clientid, False, len(data))
        self._outbox.append(data)
        self._wake.set()

    def _packet_id(self) -> int:
        for _ in range(65535):
            self._next_id = self._next_id % 65535 + 1
            if self._next_id not in self._inflight:
                return self._next_id
        return self._next_id

    def _encode(self, delivery: Delivery, counted: bool) -> bytes:
        assert self.codec is not None
        pid = None
        if delivery.qos:
            pid = self._packet_id()
            self._inflight[pid] = "puback" if delivery.qos == 1 else "pubrec"
        data = self.codec.publish(
            delivery.topic,
            delivery.payload,
            delivery.qos,
            delivery.retain,
            pid,
            subscription_identifier=delivery.subscription_identifier if self.v5 else None,
            properties=delivery.properties if self.v5 else None,
        )
        if self.node is not None and self.clientid is not None:
            channels = self.world.channels
            if counted:  # the world counted the payload as sent; the rest is header
                channels.octets(
                    self.node, self.clientid, False, len(data) - len(delivery.payload), False
                )
            else:
                channels.traffic(self.node, self.clientid, False, "publish", delivery.qos)
                channels.octets(self.node, self.clientid, False, len(data))
        return data

    async def _pump(self) -> None:
        """Write the outbox in order; a world close writes its DISCONNECT and ends."""
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._outbox:
                item = self._outbox.popleft()
                data = item if isinstance(item, bytes) else self._encode(*item)
                if not self.transport.send(data):
                    self._abandon(publish_will=True)
                    self.transport.reader.feed_eof()
                    return
            if self._ended_by_world is not None:
                if self.codec is not None and self.v5:
                    farewell = self.codec.disconnect(self._ended_by_world)
                    if farewell is not None:
                        self.transport.send(farewell)
                self.transport.reader.feed_eof()
                return
            if self._closing:
                return

    async def wait_closed(self) -> None:
        await self._done.wait()


def _kind(packet: object) -> str:
    if isinstance(packet, Ack):
        return packet.kind
    return {
        Subscribe: "subscribe",
        Unsubscribe: "unsubscribe",
        PingReq: "pingreq",
        Disconnect: "disconnect",
        Connect: "connect",
    }.get(type(packet), "unknown")


def _topic_of(group: str | None, topic: str) -> str:
    return share_key(group, topic)
