"""A running mock with its MQTT listeners, on free loopback ports, in a background thread."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
import pytest
import uvicorn

from mqtt_api_kit.fixtures import World, build_world
from mqtt_api_kit.mock_server import MockConfig, create_app
from mqtt_api_kit.mock_server.mqtt import Listeners, MqttSettings

from ...support import AUTH, free_port

T = TypeVar("T")


@dataclass
class Mock:
    world: World
    http: str
    mqtt_port: int
    ws_port: int
    loop: asyncio.AbstractEventLoop

    def api(self) -> httpx.Client:
        return httpx.Client(base_url=self.http, auth=AUTH, timeout=10)

    def read(self, fn: Callable[[], T]) -> T:
        """Run `fn` on the mock's loop (the world's only thread) and return its result."""

        async def call() -> T:
            return fn()

        return asyncio.run_coroutine_threadsafe(call(), self.loop).result(10)


@pytest.fixture
def mock() -> Iterator[Mock]:
    world = build_world(seed=11, clients=60, nodes=3)
    app = create_app(world, MockConfig())
    http_port = free_port()
    settings = MqttSettings("127.0.0.1", 0, 0)
    started = threading.Event()
    state: dict[str, Any] = {}

    async def main() -> None:
        listeners = Listeners(world, settings)
        await listeners.start()
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=http_port, log_level="error")
        )
        state.update(listeners=listeners, server=server, loop=asyncio.get_running_loop())
        task = asyncio.ensure_future(server.serve())
        while not server.started:
            await asyncio.sleep(0.01)
        started.set()
        try:
            await task
        finally:
            await listeners.stop()

    thread = threading.Thread(target=lambda: asyncio.run(main()), daemon=True)
    thread.start()
    assert started.wait(30), "the mock did not start"
    tcp, ws = state["listeners"].ports
    yield Mock(world, f"http://127.0.0.1:{http_port}", tcp, ws, state["loop"])
    state["server"].should_exit = True
    thread.join(timeout=15)


def wait_for(check: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)
