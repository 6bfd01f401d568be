"""`/mqtt/delayed…` through /api/v5: `$delayed/N/T` is held, listed, and delivered through the
world's messaging when the world's time reaches it."""

from __future__ import annotations

import base64

from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.fixtures.messaging import Delivery

V4 = ("admin", "public")


def _enable(api: TestClient) -> None:
    assert api.put("/api/v5/mqtt/delayed", json={"enable": True}).json()["enable"] is True


def test_a_delayed_message_is_held_then_delivered_when_due(api: TestClient, world: World) -> None:
    _enable(api)
    client = next(iter(world.clients()))
    assert world.subscribe(client.clientid, "later/t", 1)
    seen: list[Delivery] = []
    world.messaging.deliveries.add(seen.append)
    sent = world.cluster.metrics(world.cluster.running_names()[0]).get("messages.delayed", 0)

    body = {"topic": "$delayed/30/later/t", "payload": "hi", "qos": 1}
    assert api.post("/api/v5/publish", json=body).status_code == 202  # stopped by the hook
    assert not [d for d in seen if d.topic == "later/t"]
    listed = api.get("/api/v5/mqtt/delayed/messages").json()
    assert listed["meta"]["count"] == 1
    row = listed["data"][0]
    assert (row["topic"], row["qos"], row["delayed_interval"]) == ("later/t", 1, 30)
    assert 0 < row["delayed_remaining"] <= 30
    node = world.cluster.running_names()[0]
    assert world.cluster.metrics(node).get("messages.delayed", 0) == sent + 1

    one = api.get(f"/api/v5/mqtt/delayed/messages/{row['node']}/{row['msgid']}").json()
    assert base64.b64decode(one["payload"]) == b"hi"

    world.simulation.advance_to(world.now + 10_000)  # not yet due
    assert not [d for d in seen if d.topic == "later/t"]
    world.simulation.advance_to(world.now + 25_000)
    got = [d for d in seen if d.topic == "later/t" and d.clientid == client.clientid]
    assert [d.payload for d in got] == [b"hi"]
    assert api.get("/api/v5/mqtt/delayed/messages").json()["data"] == []


def test_not_held_while_the_module_is_off_and_off_drops_the_held(
    api: TestClient, world: World
) -> None:
    assert api.get("/api/v5/mqtt/delayed").json()["enable"] is False  # 4.4's loaded_modules
    world.publish("$delayed/10/x", b"1")
    assert len(world.delayed.messages) == 0
    _enable(api)
    world.publish("$delayed/10/x", b"1")
    world.publish("$delayed/abc/x", b"1")  # the hook crashes: published as it is
    assert len(world.delayed.messages) == 1
    # the same switch is 4.x's emqx_mod_delayed module
    for row in api.get("/api/v4/modules", auth=V4).json()["data"]:
        if row["node"] in world.cluster.running_names():
            assert {m["name"]: m["active"] for m in row["modules"]}["emqx_mod_delayed"] is True
    assert api.put("/api/v5/mqtt/delayed", json={"enable": False}).status_code == 200
    assert len(world.delayed.messages) == 0


def test_limits_and_errors(api: TestClient, world: World) -> None:
    _enable(api)
    bad = api.put("/api/v5/mqtt/delayed", json={"max_delayed_messages": -1})
    assert (bad.status_code, bad.json()["code"]) == (400, "BAD_REQUEST")
    assert api.put("/api/v5/mqtt/delayed", json={"max_delayed_messages": 1}).status_code == 200
    world.publish("$delayed/60/a/b", b"1")
    world.publish("$delayed/60/a/b", b"2")  # full: dropped (logged by the broker)
    assert len(world.delayed.messages) == 1
    held = world.delayed.messages[0]
    base = "/api/v5/mqtt/delayed/messages"
    assert api.get(f"{base}/nobody@nowhere/{held.msgid}").json()["code"] == "INVALID_NODE"
    assert api.get(f"{base}/{held.node}/zz").json()["code"] == "MESSAGE_ID_SCHEMA_ERROR"
    missing = api.get(f"{base}/{held.node}/{'0' * 32}")
    assert (missing.status_code, missing.json()["code"]) == (404, "MESSAGE_ID_NOT_FOUND")
    assert api.delete(f"{base}/a%2F%2B").json()["code"] == "INVALID_TOPIC_NAME"
    assert api.delete(f"{base}/a%2Fc").json()["code"] == "MESSAGE_NOT_FOUND"
    assert api.delete(f"{base}/a%2Fb").status_code == 204
    assert len(world.delayed.messages) == 0
    world.publish("$delayed/60/a/b", b"3")
    again = world.delayed.messages[0]
    assert api.delete(f"{base}/{again.node}/{again.msgid.lower()}").status_code == 204
    assert api.delete(f"{base}/{again.node}/{again.msgid}").status_code == 404
