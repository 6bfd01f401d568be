"""The living cluster: live answers move, the invariants hold under live changes, and the
world is a function of the seed and the elapsed world time."""

from __future__ import annotations

import pickle
import time
from typing import Any

from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import build_world
from mqtt_api_kit.mock_server import MockConfig, create_app

from ...support import AUTH_HEADERS
from ..emqx_v4.test_invariants import check, snapshot

START = 1_800_000_000_000  # a fixed start, so two worlds can be compared byte for byte


def test_two_live_reads_3_s_apart_differ() -> None:
    config = MockConfig(clock="live")
    mock = TestClient(create_app(None, config), headers=AUTH_HEADERS)
    first = [mock.get(p).content for p in ("/api/v4/stats", "/api/v4/metrics")]
    time.sleep(3)
    second = [mock.get(p).content for p in ("/api/v4/stats", "/api/v4/metrics")]
    assert first[0] != second[0] and first[1] != second[1]
    node = mock.get("/api/v4/nodes").json()["data"][0]
    assert node["uptime"] and mock.get("/__mock/state").json()["clock"]["simulated_seconds"] >= 3


def test_invariants_hold_over_a_minute_of_live_changes() -> None:
    world = build_world(seed=11, clients=120, nodes=3, now=START, live=True)
    mock = TestClient(create_app(world, MockConfig(clock="live")), headers=AUTH_HEADERS)
    mock.post("/__mock/clock", json={"action": "pause"})
    before = snapshot(mock)
    check(before, before, set())
    changed_any = False
    for _ in range(12):  # a minute, five seconds at a time
        mock.post("/__mock/clock", json={"action": "advance", "seconds": 5})
        now = snapshot(mock)
        touched = _changed_clients(before, now)
        changed_any |= bool(touched) or now["metrics"] != before["metrics"]
        check(now, before, touched)
        before = now
    assert changed_any


def _changed_clients(before: dict[str, Any], now: dict[str, Any]) -> set[str]:
    """Clients the living cluster moved: appeared, gone, (dis)connected, or whose
    subscriptions changed (reply subscriptions of request/response calls)."""
    old, new = before["clients"], now["clients"]
    moved = set(old) ^ set(new)
    subs_then = {(s["clientid"], s["topic"]) for s in before["subs"]}
    subs_now = {(s["clientid"], s["topic"]) for s in now["subs"]}
    moved |= {cid for cid, _ in subs_then ^ subs_now}
    moved |= {c for c in set(old) & set(new) if old[c]["connected_at"] != new[c]["connected_at"]}
    moved |= {c for c in set(old) & set(new) if old[c]["connected"] != new[c]["connected"]}
    return moved


def test_same_seed_same_elapsed_time_same_world_however_sliced() -> None:
    one = build_world(seed=3, clients=150, nodes=3, now=START, live=True)
    many = build_world(seed=3, clients=150, nodes=3, now=START, live=True)
    one.simulation.advance_to(START + 600_000)
    for step in range(1, 121):
        many.simulation.advance_to(START + step * 5_000 - (step % 3) * 333)
    many.simulation.advance_to(START + 600_000)
    assert one.now == many.now == START + 600_000
    assert _world(one) == _world(many)
    other = build_world(seed=4, clients=150, nodes=3, now=START, live=True)
    other.simulation.advance_to(START + 600_000)
    assert _world(other) != _world(one)


def _world(world: Any) -> bytes:
    clients = [(c.clientid, c.connected, c.connected_at, c.counters) for c in world.clients()]
    nodes = [(n.name, n.metrics, n.stats_max, n.alarms, n.load) for n in world.nodes]
    return pickle.dumps((clients, nodes, world.stats(), sorted(world.retained)))


def test_the_living_cluster_moves_what_a_dashboard_charts() -> None:
    world = build_world(seed=6, clients=300, nodes=3, now=START, live=True)
    before_clients = {c.clientid: c.connected_at for c in world.clients()}
    node = world.running_nodes()[0].name
    before = dict(world.cluster.metrics(node))
    world.simulation.advance_to(START + 3_600_000)  # an hour
    after = world.cluster.metrics(node)
    for metric in ("messages.received", "messages.sent", "client.connected", "bytes.received"):
        assert after[metric] > before[metric], metric
    stats = world.stats()[node]
    assert any(stats[k.replace(".count", ".max")] > v for k, v in stats.items() if ".count" in k)
    now = {c.clientid: c.connected_at for c in world.clients()}
    assert sum(now.get(c) not in (None, t) for c, t in before_clients.items()) > 10  # reconnects
    assert len(world.retained) > 0
    raised = [a for n in world.nodes for a in n.alarms if a.activated_at > START]
    assert raised  # an hour has a few alarms
    assert any(not a.active for a in raised) or len(raised) == 1


def test_frozen_worlds_stand_still() -> None:
    mock = TestClient(
        create_app(build_world(seed=2, clients=30), MockConfig()), headers=AUTH_HEADERS
    )
    first = mock.get("/api/v4/metrics").content
    time.sleep(1.1)
    assert mock.get("/api/v4/metrics").content == first
    assert mock.get("/__mock/state").json()["revision"] == 0


def test_speed_runs_the_clock_faster() -> None:
    mock = TestClient(create_app(None, MockConfig(clock="live", speed=60, clients=30)))
    first = mock.get("/__mock/state").json()["clock"]
    time.sleep(1)
    second = mock.get("/__mock/state").json()["clock"]
    assert second["speed"] == 60 and second["now_ms"] - first["now_ms"] >= 50_000
