"""A real MQTT client (paho-mqtt) for the tests, with what it received kept in queues."""

from __future__ import annotations

import queue
import socket
import threading
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties


class Peer:
    def __init__(
        self,
        clientid: str,
        port: int,
        version: int = 4,
        transport: str = "tcp",
        username: str | None = None,
        password: str | None = None,
        clean: bool = True,
        keepalive: int = 60,
        will: tuple[str, bytes] | None = None,
        session_expiry: int | None = None,
    ) -> None:
        protocol = paho.MQTTv5 if version == 5 else paho.MQTTv311
        self.client = paho.Client(
            CallbackAPIVersion.VERSION2,
            client_id=clientid,
            protocol=protocol,
            transport=transport,  # type: ignore[arg-type]
            clean_session=None if version == 5 else clean,
        )
        if transport == "websockets":
            self.client.ws_set_options(path="/mqtt")
        if username is not None:
            self.client.username_pw_set(username, password)
        if will is not None:
            self.client.will_set(will[0], will[1], qos=1)
        self.version, self.port, self.keepalive = version, port, keepalive
        self.clean, self.session_expiry = clean, session_expiry
        self.messages: queue.Queue[paho.MQTTMessage] = queue.Queue()
        self.connack: queue.Queue[tuple[int, bool]] = queue.Queue()
        self.disconnected = threading.Event()
        self.disconnect_reason: Any = None
        self.client.on_connect = self._on_connect
        self.client.on_message = lambda c, u, m: self.messages.put(m)
        self.client.on_disconnect = self._on_disconnect

    def _on_connect(self, client: Any, userdata: Any, flags: Any, rc: Any, props: Any) -> None:
        self.connack.put((int(rc.value), bool(flags.session_present)))

    def _on_disconnect(self, client: Any, userdata: Any, flags: Any, rc: Any, props: Any) -> None:
        self.disconnect_reason = rc
        # A peer never reconnects by itself: paho's loop would, a second or so later, and a
        # client reappearing mid-snapshot breaks the invariants a test checks. disconnect()
        # from the callback ends paho's loop instead.
        client.disconnect()
        self.disconnected.set()

    def connect(self) -> tuple[int, bool]:
        """(reason/return code, session present) of the CONNACK."""
        kwargs: dict[str, Any] = {}
        if self.version == 5:
            props = Properties(PacketTypes.CONNECT)
            if self.session_expiry is not None:
                props.SessionExpiryInterval = self.session_expiry
            kwargs = {"clean_start": self.clean, "properties": props}
        self.client.connect("127.0.0.1", self.port, self.keepalive, **kwargs)
        self.client.loop_start()
        result = self.connack.get(timeout=10)
        if result[0] != 0:  # refused: stop paho from trying again
            self.client.disconnect()
            self.client.loop_stop()
        return result

    @property
    def local_port(self) -> int:
        sock = self.client.socket()
        # paho types it as its SocketLike protocol; over TCP it is a socket.socket
        assert isinstance(sock, socket.socket)
        return int(sock.getsockname()[1])

    def subscribe(self, topic: str, qos: int = 0) -> None:
        done = threading.Event()
        self.client.on_subscribe = lambda *args: done.set()
        self.client.subscribe(topic, qos)
        assert done.wait(10), "no SUBACK"

    def publish(self, topic: str, payload: bytes, qos: int = 0, retain: bool = False) -> None:
        info = self.client.publish(topic, payload, qos=qos, retain=retain)
        info.wait_for_publish(10)

    def receive(self, timeout: float = 5.0) -> paho.MQTTMessage:
        return self.messages.get(timeout=timeout)

    def nothing(self, wait: float = 0.3) -> bool:
        try:
            self.messages.get(timeout=wait)
        except queue.Empty:
            return True
        return False

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    def drop(self) -> None:
        """Close the socket without DISCONNECT (an abnormal end: the will goes out). The network
        loop stops first: paho's loop thread reconnects on a lost connection, and a reconnect
        between the close and the stop briefly adds a client the test did not expect."""
        sock = self.client.socket()
        self.client.loop_stop()
        if sock is not None:
            sock.close()
