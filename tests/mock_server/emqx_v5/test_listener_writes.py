"""Listener writes through /api/v5: create, change, stop/start/restart, delete — on every node,
and seen by EMQX 4's API (a stopped listener is not running there either)."""

from __future__ import annotations

from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World


def _v4_ids(api: TestClient) -> set[str]:
    rows = api.get("/api/v4/listeners").json()["data"]
    return {item["listen_on"] for row in rows for item in row["listeners"]}


def _connected(world: World, listener: str) -> list[str]:
    return [c.clientid for c in world.clients() if c.connected and c.listener == listener]


def test_create_then_read_everywhere(api: TestClient, world: World) -> None:
    body = {"type": "tcp", "name": "demo", "bind": "0.0.0.0:1884", "acceptors": 4}
    made = api.post("/api/v5/listeners", json=body)
    assert made.status_code == 200, made.text
    shown = made.json()
    assert shown["id"] == "tcp:demo" and shown["running"] is True and shown["acceptors"] == 4
    assert shown["max_connections"] == "infinity" and shown["tcp_options"]["backlog"] == 1024
    assert api.get("/api/v5/listeners/tcp:demo").json() == shown
    row = next(r for r in api.get("/api/v5/listeners").json() if r["id"] == "tcp:demo")
    assert row["number"] == len(world.running_nodes())
    assert all(world.cluster.listener(n.name, "tcp:demo") for n in world.nodes)
    assert "0.0.0.0:1884" in _v4_ids(api)
    again = api.post("/api/v5/listeners", json=body)
    assert again.status_code == 400 and again.json()["code"] == "BAD_LISTENER_ID"
    assert again.json()["message"] == "Already Exist"


def test_a_taken_port_or_a_bad_body_is_refused_and_nothing_stored(
    api: TestClient, world: World
) -> None:
    taken = api.post("/api/v5/listeners", json={"type": "ws", "name": "x", "bind": "8083"})
    assert taken.status_code == 400 and taken.json()["code"] == "BAD_REQUEST"
    assert "eaddrinuse" in taken.json()["message"]
    bad = api.post("/api/v5/listeners", json={"type": "tcp", "name": "y", "bind": "nope"})
    assert bad.status_code == 400 and bad.json()["code"] == "BAD_REQUEST"
    unknown = {"type": "tcp", "name": "z", "bind": 1999, "colour": "red"}
    assert api.post("/api/v5/listeners", json=unknown).status_code == 400
    for name in ("ws:x", "tcp:y", "tcp:z"):
        assert world.cluster.listener(world.nodes[0].name, name) is None


def test_stop_closes_connections_and_hides_it_from_v4(api: TestClient, world: World) -> None:
    before = _connected(world, "tcp:default")
    assert before, "the seeded world has clients on tcp:default"
    assert api.post("/api/v5/listeners/tcp:default/stop").status_code == 200
    assert _connected(world, "tcp:default") == []
    one = api.get("/api/v5/listeners/tcp:default").json()
    assert one["enable"] is False and one["running"] is False and one["current_connections"] == 0
    assert "0.0.0.0:1883" not in _v4_ids(api)
    restart_v4 = api.put("/api/v4/listeners/mqtt:tcp:default/restart")
    assert restart_v4.json() == {"message": "not_found"}  # 4.4 cannot restart what is stopped
    assert api.post("/api/v5/listeners/tcp:default/start").status_code == 200
    assert api.get("/api/v5/listeners/tcp:default").json()["running"] is True
    assert "0.0.0.0:1883" in _v4_ids(api)


def test_restart_keeps_connections(api: TestClient, world: World) -> None:
    before = _connected(world, "tcp:default")
    assert api.post("/api/v5/listeners/tcp:default/restart").status_code == 200
    assert _connected(world, "tcp:default") == before


def test_update_merges_and_checks_ids(api: TestClient, world: World) -> None:
    change = {"id": "ws:default", "type": "ws", "websocket": {"mqtt_path": "/m"}}
    changed = api.put("/api/v5/listeners/ws:default", json=change)
    assert changed.status_code == 200, changed.text
    assert changed.json()["websocket"] == {"mqtt_path": "/m", "mqtt_piggyback": "multiple"}
    assert api.get("/api/v5/listeners/ws:default").json()["websocket"]["mqtt_path"] == "/m"
    other = api.put("/api/v5/listeners/ws:default", json={**change, "id": "ws:other"})
    assert other.status_code == 400 and other.json()["code"] == "BAD_LISTENER_ID"
    mixed = api.put("/api/v5/listeners/ws:default", json={**change, "type": "tcp"})
    assert mixed.json() == {"code": "BAD_REQUEST", "message": "listener_type_inconsistent"}
    moved = {"id": "tcp:default", "type": "tcp", "bind": "0.0.0.0:1999"}
    refused = api.put("/api/v5/listeners/tcp:default", json=moved)
    assert refused.json() == {"code": "BAD_REQUEST", "message": "not_supported"}
    assert api.get("/api/v5/listeners/tcp:default").json()["bind"] == "0.0.0.0:1883"
    gone = api.put("/api/v5/listeners/tcp:nope", json={"id": "tcp:nope", "type": "tcp"})
    assert gone.status_code == 404 and gone.json()["code"] == "BAD_LISTENER_ID"


def test_delete_and_unknown_ids(api: TestClient, world: World) -> None:
    assert _connected(world, "ws:default"), "the seeded world has clients on ws:default"
    assert api.delete("/api/v5/listeners/ws:default").status_code == 204
    assert api.get("/api/v5/listeners/ws:default").status_code == 404
    assert _connected(world, "ws:default") == []
    assert all(world.cluster.listener(n.name, "ws:default") is None for n in world.nodes)
    assert api.delete("/api/v5/listeners/ws:default").json()["code"] == "BAD_LISTENER_ID"
    assert api.post("/api/v5/listeners/tcp:nope/stop").status_code == 404
    assert api.post("/api/v5/listeners/nope/stop").status_code == 400
