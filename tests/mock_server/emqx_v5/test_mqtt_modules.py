"""Topic metrics, topic rewrite, auto subscribe through /api/v5."""

from __future__ import annotations

from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World

V4 = ("admin", "public")


def test_topic_metrics_count_and_show_through_v4(api: TestClient, world: World) -> None:
    made = api.post("/api/v5/mqtt/topic_metrics", json={"topic": "m/1"})
    assert made.status_code == 200 and made.json()["metrics"]["messages.in.count"] == 0
    again = api.post("/api/v5/mqtt/topic_metrics", json={"topic": "m/1"})
    assert (again.status_code, again.json()["code"]) == (400, "BAD_TOPIC")
    wild = api.post("/api/v5/mqtt/topic_metrics", json={"topic": "m/#"})
    assert (wild.status_code, wild.json()["code"]) == (400, "BAD_TOPIC")
    assert api.post("/api/v5/mqtt/topic_metrics", json={"topic": ""}).status_code == 400
    world.publish("m/1", b"x", qos=1)
    got = api.get("/api/v5/mqtt/topic_metrics/m%2F1").json()["metrics"]
    assert got["messages.in.count"] == 1 and got["messages.qos1.in.count"] == 1
    # 4.x's topic metrics are the same records
    v4 = api.get("/api/v4/topic-metrics", auth=V4).json()["data"]
    assert [r["topic"] for r in v4] == ["m/1"]
    reset = api.put("/api/v5/mqtt/topic_metrics", json={"action": "reset", "topic": "m/1"})
    assert reset.json()["metrics"]["messages.in.count"] == 0 and "reset_time" in reset.json()
    gone = api.put("/api/v5/mqtt/topic_metrics", json={"action": "reset", "topic": "n"})
    assert (gone.status_code, gone.json()["code"]) == (404, "TOPIC_NOT_FOUND")
    assert api.delete("/api/v5/mqtt/topic_metrics/m%2F1").status_code == 204
    assert api.get("/api/v5/mqtt/topic_metrics/m%2F1").status_code == 404
    assert api.delete("/api/v5/mqtt/topic_metrics/m%2F1").json()["code"] == "TOPIC_NOT_FOUND"


def test_topic_rewrite_rules(api: TestClient) -> None:
    rule = {"action": "publish", "source_topic": "x/#", "dest_topic": "y/$1", "re": "^x/(.+)$"}
    assert api.put("/api/v5/mqtt/topic_rewrite", json=[rule]).json() == [rule]
    assert api.get("/api/v5/mqtt/topic_rewrite").json() == [rule]
    wild = {**rule, "dest_topic": "y/#"}
    bad = api.put("/api/v5/mqtt/topic_rewrite", json=[wild])
    assert bad.status_code == 400 and '<<"y/#">>' in bad.json()["message"]
    assert api.put("/api/v5/mqtt/topic_rewrite", json=[{**rule, "re": "("}]).status_code == 400
    many = api.put("/api/v5/mqtt/topic_rewrite", json=[rule] * 20)
    assert (many.status_code, many.json()["code"]) == (413, "EXCEED_LIMIT")
    assert api.get("/api/v5/mqtt/topic_rewrite").json() == [rule]  # nothing lost


def test_auto_subscribe_fills_defaults_and_caps(api: TestClient) -> None:
    put = api.put("/api/v5/mqtt/auto_subscribe", json=[{"topic": "c/${clientid}", "qos": 1}])
    assert put.json() == [{"topic": "c/${clientid}", "qos": 1, "rh": 0, "rap": 0, "nl": 0}]
    assert api.get("/api/v5/mqtt/auto_subscribe").json() == put.json()
    over = api.put("/api/v5/mqtt/auto_subscribe", json=[{"topic": f"t/{i}"} for i in range(21)])
    assert (over.status_code, over.json()["code"]) == (409, "EXCEED_LIMIT")
    assert api.put("/api/v5/mqtt/auto_subscribe", json=[{"qos": 1}]).status_code == 400
    assert len(api.get("/api/v5/mqtt/auto_subscribe").json()) == 1


def test_a_rewrite_rule_moves_published_messages(api: TestClient, world: World) -> None:
    client = next(iter(world.clients()))
    assert world.subscribe(client.clientid, "new/t", 0)
    rules = [
        {"action": "publish", "source_topic": "old/#", "dest_topic": "new/$1", "re": "^old/(.+)$"},
        {"action": "subscribe", "source_topic": "old/#", "dest_topic": "none/$1", "re": "^(.+)$"},
    ]
    assert api.put("/api/v5/mqtt/topic_rewrite", json=rules).status_code == 200
    before = len(world.messaging.mqueue(client.clientid)) if not client.connected else None
    sent = world.cluster.metrics(client.node).get("messages.sent", 0)
    answer = api.post("/api/v5/publish", json={"topic": "old/t", "payload": "x"})
    assert answer.status_code == 200  # delivered to new/t's subscriber
    if before is None:
        assert world.cluster.metrics(client.node).get("messages.sent", 0) > sent
    else:
        assert len(world.messaging.mqueue(client.clientid)) == before + 1
