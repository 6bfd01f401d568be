"""The MQTT listeners: CONNECT → visible in the API, and message throughput (paho-mqtt).

`python -m bench mqtt`: starts `mqtt-api mock` with its listeners on free ports, then
* connects 50 clients one after another and measures, for each, the time from its CONNACK to
  the first `/api/v4/clients/{id}` answer that lists it;
* sends 5,000 QoS 0 and 2,000 QoS 1 messages from one real client to another and times them
  end to end (last message received);
* times 200 API publishes (`POST /api/v4/mqtt/publish`) until the real subscriber has them.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion

from .server import free_port, mock_process

AUTH = ("admin", "public")


@contextmanager
def _mock() -> Iterator[tuple[str, int]]:
    mqtt, ws = free_port(), free_port()
    with mock_process("--mqtt-port", str(mqtt), "--ws-port", str(ws), mqtt=True) as base:
        yield base, mqtt


def _client(clientid: str, port: int) -> paho.Client:
    client = paho.Client(CallbackAPIVersion.VERSION2, client_id=clientid)
    connected = threading.Event()
    client.on_connect = lambda *args: connected.set()
    client.connect("127.0.0.1", port, 60)
    client.loop_start()
    if not connected.wait(10):
        raise RuntimeError(f"{clientid} did not connect")
    return client


def _visible(api: httpx.Client, port: int) -> list[float]:
    times = []
    for i in range(50):
        client = _client(f"bench-{i}", port)
        start = time.perf_counter()
        while not api.get(f"/api/v4/clients/bench-{i}").json()["data"]:
            pass
        times.append((time.perf_counter() - start) * 1000)
        client.disconnect()
        client.loop_stop()
    return times


def _flow(port: int, count: int, qos: int) -> float:
    received = threading.Event()
    seen = [0]

    def on_message(*args: object) -> None:
        seen[0] += 1
        if seen[0] == count:
            received.set()

    sub = _client(f"sink-{qos}", port)
    sub.on_message = on_message
    done = threading.Event()
    sub.on_subscribe = lambda *args: done.set()
    sub.subscribe(f"flow/{qos}/#", qos)
    done.wait(10)
    pub = _client(f"source-{qos}", port)
    start = time.perf_counter()
    for i in range(count):
        pub.publish(f"flow/{qos}/{i % 10}", b"x" * 64, qos=qos)
    if not received.wait(120):
        raise RuntimeError(f"only {seen[0]} of {count} arrived")
    elapsed = time.perf_counter() - start
    for client in (sub, pub):
        client.disconnect()
        client.loop_stop()
    return count / elapsed


def _api_publish(api: httpx.Client, port: int, count: int) -> float:
    seen = [0]
    received = threading.Event()

    def on_message(*args: object) -> None:
        seen[0] += 1
        if seen[0] == count:
            received.set()

    sub = _client("api-sink", port)
    sub.on_message = on_message
    done = threading.Event()
    sub.on_subscribe = lambda *args: done.set()
    sub.subscribe("api/#", 0)
    done.wait(10)
    start = time.perf_counter()
    for i in range(count):
        api.post("/api/v4/mqtt/publish", json={"topic": f"api/{i}", "payload": "p"})
    received.wait(60)
    elapsed = time.perf_counter() - start
    sub.disconnect()
    sub.loop_stop()
    return count / elapsed


def run() -> None:
    with _mock() as (base, port), httpx.Client(base_url=base, auth=AUTH, timeout=10) as api:
        api.get("/api/v4/clients/warm-up")
        times = _visible(api, port)
        print(
            f"  CONNACK → listed by /api/v4/clients/{{id}}: p50 {statistics.median(times):.1f} ms,"
            f" max {max(times):.1f} ms (50 clients)"
        )
        print(f"  client → client, QoS 0: {_flow(port, 5000, 0):,.0f} msg/s")
        print(f"  client → client, QoS 1: {_flow(port, 2000, 1):,.0f} msg/s")
        print(f"  API publish → real subscriber: {_api_publish(api, port, 200):,.0f} msg/s")
