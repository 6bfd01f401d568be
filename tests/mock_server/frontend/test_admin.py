"""The admin API: state, reset, snapshot/restore, the journal, the clock, scenarios."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import build_world
from mqtt_api_kit.mock_server import MockConfig, create_app

from ...support import AUTH


@pytest.fixture
def mock() -> TestClient:
    return TestClient(create_app(build_world(seed=9, clients=40), MockConfig()), headers={})


def kick_first(mock: TestClient) -> str:
    clientid = mock.get("/api/v4/clients?_limit=1", auth=AUTH).json()["data"][0]["clientid"]
    assert mock.delete(f"/api/v4/clients/{quote(clientid, safe='')}", auth=AUTH).json()["code"] == 0
    return clientid


def test_state_says_seed_size_clock_and_options(mock: TestClient) -> None:
    state = mock.get("/__mock/state").json()
    assert state["seed"] == 9 and state["size"]["clients"] == 40 and state["size"]["nodes"] == 3
    assert state["clock"]["mode"] == "frozen" and state["clock"]["running"] is False
    assert state["clock"]["now"] == "2026-03-02T09:30:00Z"
    assert state["options"]["cors"] is True


def test_reset_goes_back_to_the_seed(mock: TestClient) -> None:
    before = mock.get("/api/v4/clients", auth=AUTH).content
    kick_first(mock)
    assert mock.get("/api/v4/clients", auth=AUTH).content != before
    assert mock.post("/__mock/reset").json()["size"]["clients"] == 40
    assert mock.get("/api/v4/clients", auth=AUTH).content == before


@pytest.mark.parametrize("path", ["/api/v4/nodes", "/api/v5/nodes", "/api/v2/management/nodes"])
def test_a_reset_keeps_the_configured_credentials(path: str) -> None:
    """`--auth` is the broker's configuration (default app, dashboard user, 5.x bootstrap
    key): a reset rebuilds the world and boots it with the same configuration."""
    configured = ("ops", "s3cret")
    mock = TestClient(create_app(build_world(seed=9, clients=10), MockConfig(auth=configured)))
    for _ in range(2):
        assert mock.get(path, auth=configured).status_code == 200
        assert mock.get(path, auth=AUTH).status_code == 401
        assert mock.post("/__mock/reset").status_code == 200


def test_snapshot_and_restore(mock: TestClient) -> None:
    snap = mock.post("/__mock/snapshot")
    assert snap.status_code == 201
    saved = mock.get("/api/v4/clients", auth=AUTH).content
    gone = kick_first(mock)
    assert mock.get(f"/api/v1/mqtt/clients/{quote(gone, safe='')}").status_code == 404
    assert mock.post(f"/__mock/restore/{snap.json()['id']}").status_code == 200
    assert mock.get("/api/v4/clients", auth=AUTH).content == saved
    assert mock.get(f"/api/v1/mqtt/clients/{quote(gone, safe='')}").status_code == 200
    missing = mock.post("/__mock/restore/nope")
    assert missing.status_code == 404 and "no snapshot" in missing.json()["error"]


def test_the_journal_lists_the_last_requests_newest_first(mock: TestClient) -> None:
    mock.get("/api/v4/nodes", auth=AUTH)
    mock.get("/api/v1/mqtt/clients?limit=50")
    mock.get("/api/v4/clients", params={"__code": "500"}, auth=AUTH)
    mock.get("/__mock/state")  # not journaled
    body = mock.get("/__mock/requests", params={"limit": 3}).json()
    assert body["total"] == 3
    forced, hive, nodes = body["items"]
    assert (nodes["method"], nodes["path"], nodes["status"]) == ("GET", "/api/v4/nodes", 200)
    assert nodes["operation"] == "listNodes" and nodes["api"] == "emqx-v4" and nodes["ms"] >= 0
    assert hive["api"] == "hivemq" and hive["query"] == "limit=50"
    assert forced["status"] == 500 and forced["notes"] == ["code=500"]
    assert mock.delete("/__mock/requests").status_code == 204
    assert mock.get("/__mock/requests").json()["items"] == []


def test_the_journal_is_bounded() -> None:
    mock = TestClient(create_app(build_world(seed=9, clients=5), MockConfig(journal_size=3)))
    for _ in range(5):
        mock.get("/api/v1/mqtt/clients")
    assert len(mock.get("/__mock/requests").json()["items"]) == 3


def test_clock_pause_resume_advance(mock: TestClient) -> None:
    metrics = mock.get("/api/v4/metrics", auth=AUTH).content
    state = mock.post("/__mock/clock", json={"action": "advance", "seconds": 90}).json()
    assert state["clock"]["now"] == "2026-03-02T09:31:30Z"
    assert state["clock"]["simulated_seconds"] == 90
    assert mock.get("/api/v4/metrics", auth=AUTH).content != metrics
    assert mock.post("/__mock/clock", json={"action": "resume", "speed": 50}).json()["clock"][
        "running"
    ]
    paused = mock.post("/__mock/clock", json={"action": "pause"}).json()["clock"]
    again = mock.get("/__mock/state").json()["clock"]
    assert paused["now_ms"] == again["now_ms"] and not again["running"]
    assert mock.post("/__mock/clock", json={"action": "advance"}).status_code == 400
    assert mock.post("/__mock/clock", json={"action": "fly"}).status_code == 400


def test_scenarios_are_listed_and_loaded(mock: TestClient) -> None:
    names = [s["name"] for s in mock.get("/__mock/scenarios").json()["items"]]
    assert {"empty-cluster", "degraded-node", "big-fleet"} <= set(names)
    empty = mock.post("/__mock/scenarios/empty-cluster").json()
    assert empty["scenario"] == "empty-cluster" and empty["size"]["clients"] == 0
    assert mock.get("/api/v4/nodes", auth=AUTH).json()["data"][0]["node"] == "emqx@127.0.0.1"
    assert mock.post("/__mock/scenarios/nope").status_code == 404
    assert mock.get("/__mock/ui/").status_code == 200


def test_admin_bodies_are_bounded(mock: TestClient) -> None:
    huge = b'{"action": "pause", "pad": "' + b"x" * (2 << 20) + b'"}'
    response = mock.post(
        "/__mock/clock", content=huge, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413 and "too large" in response.json()["error"]


def test_a_restore_keeps_the_worlds_observers() -> None:
    """The MQTT listeners observe deliveries through hooks: a reset or restore keeps them."""
    world = build_world(seed=9, clients=10)
    seen: list[object] = []
    world.messaging.deliveries.add(seen.append)
    mock = TestClient(create_app(world, MockConfig()))
    snap = mock.post("/__mock/snapshot").json()["id"]
    assert mock.post("/__mock/reset").status_code == 200
    assert mock.post(f"/__mock/restore/{snap}").status_code == 200
    assert world.messaging.deliveries  # still observed
