"""The MQTT listeners of the mock: TCP (1883) and MQTT over WebSocket (8083, path `/mqtt`).

Both run on the event loop that serves the HTTP APIs (`run` starts uvicorn on that loop), so a
handler and a packet never touch the world at the same time and the world needs no locks.
The WebSocket listener answers as EMQX 4.4's (`emqx_ws_connection:init/2`, cowboy): another
path is 404, a handshake without a `Sec-WebSocket-Protocol` the broker supports is 400
(`fail_if_no_subprotocol = true`, `supported_subprotocols = mqtt, mqtt-v3, mqtt-v3.1.1,
mqtt-v5`), and the first protocol the client offers that it supports is chosen.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus

import uvicorn
from starlette.types import ASGIApp
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from mqtt_api_kit.fixtures import World

from .broker import Broker
from .session import Connection
from .transport import TcpTransport, WsTransport

__all__ = ["DEFAULT_MQTT_PORT", "DEFAULT_WS_PORT", "Listeners", "MqttSettings", "run"]

DEFAULT_MQTT_PORT = 1883  # listener.tcp.external = 0.0.0.0:1883
DEFAULT_WS_PORT = 8083  # listener.ws.external = 8083
WS_PATH = "/mqtt"  # listener.ws.external.mqtt_path = /mqtt
SUBPROTOCOLS = ("mqtt", "mqtt-v3", "mqtt-v3.1.1", "mqtt-v5")


@dataclass(frozen=True, slots=True)
class MqttSettings:
    host: str = "127.0.0.1"
    port: int = DEFAULT_MQTT_PORT
    ws_port: int | None = DEFAULT_WS_PORT  # None: no WebSocket listener


def _offered(headers: Headers) -> list[str]:
    return [
        p.strip()
        for value in headers.get_all("Sec-WebSocket-Protocol")
        for p in value.split(",")
        if p.strip()
    ]


def _check(connection: ServerConnection, request: Request) -> Response | None:
    if request.path.split("?", 1)[0] != WS_PATH:
        return connection.respond(HTTPStatus.NOT_FOUND, "")
    if not any(p in SUBPROTOCOLS for p in _offered(request.headers)):
        return connection.respond(HTTPStatus.BAD_REQUEST, "")
    return None


def _pick(connection: ServerConnection, offered: object) -> str | None:
    for name in offered:  # type: ignore[attr-defined]
        if name in SUBPROTOCOLS:
            return str(name)
    return None


class Listeners:
    """The TCP and WebSocket listeners over one world; `start` binds, `stop` closes."""

    def __init__(self, world: World, settings: MqttSettings) -> None:
        self.settings = settings
        self.broker = Broker(world)
        self._tcp: asyncio.Server | None = None
        self._ws: Server | None = None

    @property
    def ports(self) -> tuple[int, int | None]:
        """The bound ports (useful with port 0)."""
        tcp = self._tcp.sockets[0].getsockname()[1] if self._tcp else self.settings.port
        ws = None
        if self._ws is not None:
            ws = next(iter(self._ws.sockets)).getsockname()[1]
        return tcp, ws

    async def start(self) -> None:
        self.broker.attach()
        try:
            self._tcp = await asyncio.start_server(
                self._on_tcp, self.settings.host, self.settings.port
            )
            if self.settings.ws_port is not None:
                self._ws = await serve(
                    self._on_ws,
                    self.settings.host,
                    self.settings.ws_port,
                    subprotocols=list(SUBPROTOCOLS),  # type: ignore[arg-type]
                    select_subprotocol=_pick,  # type: ignore[arg-type]
                    process_request=_check,
                    compression=None,
                    max_size=None,  # MQTT's own maximum packet size applies
                    ping_interval=None,  # MQTT has its own keepalive
                )
        except OSError:
            await self.stop()
            raise

    async def stop(self) -> None:
        for server in (self._tcp, self._ws):
            if server is not None:
                server.close()
        await self.broker.close_all()
        if self._tcp is not None:
            await self._tcp.wait_closed()
        if self._ws is not None:
            await self._ws.wait_closed()
        self._tcp = self._ws = None
        self.broker.detach()

    async def _on_tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await self.broker.serve(Connection(self.broker, TcpTransport(reader, writer)))

    async def _on_ws(self, ws: ServerConnection) -> None:
        transport = WsTransport(ws)
        await self.broker.serve(Connection(self.broker, transport))
        await transport.wait()


def run(
    app: ASGIApp,
    world: World,
    host: str,
    port: int,
    log_level: str,
    mqtt: MqttSettings | None,
    sock: socket.socket | None = None,
    ready: Callable[[], None] | None = None,
) -> None:
    """Serve `app` over HTTP and, unless `mqtt` is None, the MQTT listeners, on one loop.
    `sock`: the HTTP socket, already bound (the CLI binds it before printing anything);
    `ready` is called once every listener accepts connections."""

    class Http(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if self.started and ready is not None:
                ready()

    async def main() -> None:
        server = Http(uvicorn.Config(app, host=host, port=port, log_level=log_level))
        listeners = Listeners(world, mqtt) if mqtt is not None else None
        if listeners is not None:
            await listeners.start()
        try:
            await server.serve(sockets=[sock] if sock is not None else None)
        finally:
            if listeners is not None:
                await listeners.stop()

    asyncio.run(main())
