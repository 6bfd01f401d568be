"""`/listeners` reads through /api/v5: the nodes' MQTT listeners folded per id and per type."""

from __future__ import annotations

from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World


def test_listeners_fold_the_nodes(api: TestClient, world: World) -> None:
    rows = api.get("/api/v5/listeners").json()
    ids = [r["id"] for r in rows]
    assert ids == sorted(ids) and "tcp:default" in ids and "http:management" not in ids
    tcp = next(r for r in rows if r["id"] == "tcp:default")
    running = world.cluster.running_names()
    # every node's status, the answering (first) node last
    assert [n["node"] for n in tcp["node_status"]] == list(reversed(running))
    per_node = {
        n: sum(
            1
            for c in world.clients()
            if c.node == n and c.connected and c.listener == "tcp:default"
        )
        for n in running
    }
    assert {n["node"]: n["status"]["current_connections"] for n in tcp["node_status"]} == per_node
    assert tcp["status"]["current_connections"] == sum(per_node.values())
    assert tcp["number"] == len(running) and tcp["bind"] == "0.0.0.0:1883"
    assert [r["id"] for r in api.get("/api/v5/listeners", params={"type": "ws"}).json()] == [
        "ws:default"
    ]


def test_status_per_type_and_one_listener(api: TestClient) -> None:
    types = api.get("/api/v5/listeners_status").json()
    tcp = next(r for r in types if r["type"] == "tcp")
    assert "tcp:default" in tcp["ids"] and "bind" not in tcp and "name" not in tcp
    one = api.get("/api/v5/listeners/ssl:default").json()
    assert one["id"] == "ssl:default" and one["type"] == "ssl" and "ssl_options" in one
    missing = api.get("/api/v5/listeners/tcp:nope")
    assert missing.status_code == 404 and missing.json()["code"] == "BAD_LISTENER_ID"
