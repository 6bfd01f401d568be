"""Nodes, stats, monitor, publish, bans and the retainer through /api/v5."""

from __future__ import annotations

from itertools import pairwise
from urllib.parse import quote

from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World


def test_nodes_and_an_unknown_node(api: TestClient, world: World) -> None:
    nodes = api.get("/api/v5/nodes").json()
    assert [n["node"] for n in nodes] == [n.name for n in world.nodes]
    assert all(n["version"] == "5.8.1" and n["memory_total"].endswith("G") for n in nodes)
    missing = api.get("/api/v5/nodes/emqx@nowhere")
    assert missing.json() == {"code": "NOT_FOUND", "message": "Node not found: emqx@nowhere"}


def test_metrics_carry_5x_names(api: TestClient, world: World) -> None:
    node = world.nodes[0].name
    m = api.get(f"/api/v5/nodes/{node}/metrics").json()
    assert m["session.takenover"] == world.cluster.metrics(node).get("session.takeovered", 0)
    assert "overload_protection.gc" in m and "rules.matched" not in m
    per_node = api.get("/api/v5/metrics").json()
    summed = api.get("/api/v5/metrics", params={"aggregate": "true"}).json()
    assert summed["messages.received"] == sum(row["messages.received"] for row in per_node)


def test_stats_per_node_and_aggregated(api: TestClient, world: World) -> None:
    rows = api.get("/api/v5/stats").json()
    assert [r["node"] for r in rows] == list(reversed(world.cluster.running_names()))
    total = api.get("/api/v5/stats", params={"aggregate": "true"}).json()
    assert total["live_connections.count"] == sum(1 for c in world.clients() if c.connected)
    assert total["topics.count"] == rows[0]["topics.count"]  # cluster-wide, taken once


def test_monitor_spacing_follows_the_span(api: TestClient) -> None:
    points = api.get("/api/v5/monitor", params={"latest": 300}).json()
    stamps = [p["time_stamp"] for p in points]
    assert {b - a for a, b in pairwise(stamps)} == {10_000}
    current = api.get("/api/v5/monitor_current").json()
    assert current["connections"] == points[-1]["connections"]
    assert "node_uptime" not in current


def test_publish_answers_by_delivery(api: TestClient, world: World) -> None:
    nobody = api.post("/api/v5/publish", json={"topic": "no/one/listens", "payload": "x"})
    assert nobody.status_code == 202
    assert nobody.json() == {"reason_code": 16, "message": "no_matching_subscribers"}
    sub = next(s for _, s in world.subscriptions() if "+" not in s.topic and "#" not in s.topic)
    hit = api.post("/api/v5/publish", json={"topic": sub.topic, "payload": "x"})
    assert hit.status_code == 200 and len(hit.json()["id"]) == 32
    bad = api.post("/api/v5/publish", json={"topic": "a/#", "payload": "x"})
    assert bad.json() == {"reason_code": 144, "message": "topic_name_invalid"}
    batch = api.post(
        "/api/v5/publish/bulk",
        json=[{"topic": sub.topic, "payload": "1"}, {"topic": "no/one", "payload": "2"}],
    )
    assert batch.status_code == 202 and len(batch.json()) == 2


def test_bans_are_shared_with_4x(api: TestClient) -> None:
    made = api.post("/api/v5/banned", json={"as": "clientid", "who": "bad-bot", "reason": "spam"})
    assert made.status_code == 200 and made.json()["until"] == "infinity"
    again = api.post("/api/v5/banned", json={"as": "clientid", "who": "bad-bot"})
    assert again.json()["code"] == "ALREADY_EXISTS"
    v4 = api.get("/api/v4/banned", params={"_limit": 1000}).json()["data"]
    assert any(b["who"] == "bad-bot" for b in v4)
    exact = api.get("/api/v5/banned", params={"clientid": "bad-bot"}).json()
    assert exact["meta"]["count"] == 1 and exact["meta"]["hasnext"] is False
    every = api.get("/api/v5/banned").json()
    assert "hasnext" not in every["meta"]  # emqx_mgmt_api:paginate/3
    assert api.get("/api/v5/banned", params={"clientid": "a", "username": "b"}).status_code == 400
    assert api.delete("/api/v5/banned/clientid/bad-bot").status_code == 204
    missing = api.delete("/api/v5/banned/clientid/bad-bot")
    assert missing.json() == {"code": "NOT_FOUND", "message": "clientid: bad-bot not found"}


def test_retained_messages_and_the_switch(api: TestClient, world: World) -> None:
    api.post("/api/v5/publish", json={"topic": "r/1", "payload": "kept", "retain": True})
    listed = api.get("/api/v5/mqtt/retainer/messages").json()
    assert [m["topic"] for m in listed["data"]] == ["r/1"] and listed["meta"]["count"] == 1
    one = api.get("/api/v5/mqtt/retainer/message/" + quote("r/1", safe="")).json()
    assert one["payload"] == "a2VwdA==" and one["from_clientid"] == "http_api"
    off = api.put("/api/v5/mqtt/retainer", json={"enable": False}).json()
    assert off["enable"] is False and world.plugin_active("emqx_retainer") is False
    api.post("/api/v5/publish", json={"topic": "r/2", "payload": "lost", "retain": True})
    assert "r/2" not in world.retained
    assert api.delete("/api/v5/mqtt/retainer/message/r%2F1").status_code == 204
    gone = api.get("/api/v5/mqtt/retainer/message/r%2F1")
    assert gone.json() == {"code": "NOT_FOUND", "message": "Viewed message doesn't exist"}


def test_a_ban_until_past_year_9999_is_stored_and_shown(api: TestClient) -> None:
    """Erlang's calendar formats any year: an epoch second far in the future is a ban until
    then, not a crash (emqx_mgmt_api_banned, calendar:system_time_to_rfc3339/2)."""
    far = 4_503_599_627_370_495
    made = api.post("/api/v5/banned", json={"as": "clientid", "who": "far-1", "until": far})
    assert made.status_code == 200 and made.json()["until"].startswith("142715360-12-06T")
    rows = api.get("/api/v5/banned", params={"limit": 1000}).json()["data"]
    assert any(b["who"] == "far-1" and b["until"] == made.json()["until"] for b in rows)
