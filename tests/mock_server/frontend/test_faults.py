"""Latency bounds, error and drop rates (deterministic under the seed), on a real server."""

from __future__ import annotations

import time

import httpx
import pytest
from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import build_world
from mqtt_api_kit.mock_server import MockConfig, create_app

from ...support import AUTH, serve


def test_latency_stays_within_its_bounds_and_per_operation() -> None:
    config = MockConfig(latency=(80, 120), latency_by_operation=(("listNodes", (300, 320)),))
    client = TestClient(create_app(build_world(seed=2, clients=10), config), headers={})
    client.get("/api/v4/clients", auth=AUTH)  # warm-up: the first request builds caches
    waits = []
    for _ in range(5):
        started = time.perf_counter()
        assert client.get("/api/v4/clients", auth=AUTH).status_code == 200
        waits.append(time.perf_counter() - started)
    waits.sort()
    assert waits[0] >= 0.08 and waits[2] < 0.3  # the median: a loaded machine adds its own
    started = time.perf_counter()
    client.get("/api/v4/nodes", auth=AUTH)
    assert time.perf_counter() - started >= 0.3
    started = time.perf_counter()
    client.get("/__mock/state")  # the mock's own API never waits
    assert time.perf_counter() - started < 0.08
    entries = client.get("/__mock/requests").json()["items"]
    assert any(n.startswith("latency=") for e in entries for n in e["notes"])


def _outcomes(config: MockConfig, requests: int) -> list[str]:
    outcomes = []
    with serve(create_app(build_world(seed=4, clients=10), config)) as base:
        for _ in range(requests):
            try:
                r = httpx.get(base + "/api/v4/clients?_limit=1", auth=AUTH, timeout=5)
                outcomes.append(str(r.status_code))
            except httpx.TransportError:
                outcomes.append("dropped")
    return outcomes


def test_error_and_drop_rates_are_drawn_from_the_seed() -> None:
    config = MockConfig(seed=4, error_rate=0.2, drop_rate=0.1)
    first = _outcomes(config, 120)
    assert first == _outcomes(config, 120)  # same seed, same requests: same faults
    errors, drops = first.count("500"), first.count("dropped")
    assert 10 <= errors <= 40 and 4 <= drops <= 24, (errors, drops)
    assert first.count("200") == 120 - errors - drops


def test_a_drop_closes_the_connection_without_an_answer() -> None:
    with serve(create_app(build_world(seed=4, clients=5), MockConfig(drop_rate=1.0))) as base:
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.get(base + "/api/v1/mqtt/clients", timeout=5)
        journal = httpx.get(base + "/__mock/requests").json()["items"]
    assert journal[0]["status"] is None and journal[0]["notes"] == ["dropped"]


def test_an_error_is_api_shaped() -> None:
    client = TestClient(
        create_app(build_world(seed=4, clients=5), MockConfig(error_rate=1.0)), headers={}
    )
    assert client.get("/api/v1/mqtt/clients").json()["errors"][0]["title"]
    assert client.get("/api/v4/clients", auth=AUTH).text == "Internal Error"
    assert client.get("/api/v4/ui/").status_code == 200  # the mock's own pages never fail
