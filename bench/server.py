"""Start `mqtt-api mock` as a separate process on a free port, as a user would run it."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def mock_process(*args: str, mqtt: bool = False) -> Iterator[str]:
    """`mqtt-api mock` on a free port (its MQTT listeners off unless `mqtt`), until it answers."""
    port = free_port()
    listeners = [] if mqtt else ["--no-mqtt"]
    cmd = [sys.executable, "-m", "mqtt_api_kit", "mock", "--port", str(port), *listeners, *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                httpx.get(base + "/api/v4/clients", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("the mock did not start") from None
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)
