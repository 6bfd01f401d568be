"""One world behind every API: writes through EMQX v4 are seen through v2 and the other way."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World

V2, V4 = "/api/v2", "/api/v4"


def q(text: str) -> str:
    return quote(text, safe="")


def v2_objects(client: TestClient, path: str) -> list[dict]:
    body = client.get(V2 + path).json()
    assert body["code"] == 0, body
    return body["result"]["objects"]


def test_kick_through_v4_is_gone_through_v2(client: TestClient, world: World) -> None:
    victim = next(c for c in world.clients() if c.connected)
    assert v2_objects(client, f"/clients/{q(victim.clientid)}")
    assert client.delete(f"{V4}/clients/{q(victim.clientid)}").json()["code"] == 0
    assert v2_objects(client, f"/clients/{q(victim.clientid)}") == []
    assert v2_objects(client, f"/sessions/{q(victim.clientid)}") == []
    assert client.delete(f"{V2}/clients/{q(victim.clientid)}").json() == {"code": 112}


def test_kick_through_v2_is_gone_through_v4(client: TestClient, world: World) -> None:
    victim = next(c for c in world.clients() if c.connected and c.session_expiry == 0)
    assert client.delete(f"{V2}/clients/{q(victim.clientid)}").json() == {"code": 0, "result": []}
    assert client.get(f"{V4}/clients/{q(victim.clientid)}").json()["data"] == []
    assert world.client(victim.clientid) is None


def test_kick_through_v2_keeps_a_persistent_session_offline(
    client: TestClient, world: World
) -> None:
    victim = next(c for c in world.clients() if c.connected and c.session_expiry > 0)
    assert client.delete(f"{V2}/clients/{q(victim.clientid)}").json()["code"] == 0
    (row,) = client.get(f"{V4}/clients/{q(victim.clientid)}").json()["data"]
    assert row["connected"] is False
    assert v2_objects(client, f"/clients/{q(victim.clientid)}") == []
    assert [s["client_id"] for s in v2_objects(client, f"/sessions/{q(victim.clientid)}")] == [
        victim.clientid
    ]


def test_plugin_stopped_through_v2_is_inactive_for_v4(client: TestClient, world: World) -> None:
    node = world.running_nodes()[0].name
    url = f"{V2}/nodes/{node}/plugins/emqx_retainer"
    assert client.put(url, json={"active": False}).json()["code"] == 0
    assert world.plugin(node, "emqx_retainer").active is False
    v4 = client.get(f"{V4}/nodes/{node}/plugins")
    if v4.status_code == 200:  # the v4 plugin routes exist (EMQX v4 dialect)
        (row,) = [p for p in v4.json()["data"] if p["name"] == "emqx_retainer"]
        assert row["active"] is False
    v2 = client.get(f"{V2}/nodes/{node}/plugins").json()["result"]
    assert [p["active"] for p in v2 if p["name"] == "emqx_retainer"] == [False]


def test_subscribe_through_v2_is_listed_through_v4(client: TestClient, world: World) -> None:
    node = world.running_nodes()[0].name
    subscriber = next(c for c in world.clients(node) if c.connected)
    body = {"client_id": subscriber.clientid, "topic": "h4/consistency", "qos": 1}
    assert client.post(f"{V2}/mqtt/subscribe", json=body).json() == {"code": 0, "result": []}
    topics = {s.topic for s in world.subscriptions_of(subscriber.clientid)}
    assert "h4/consistency" in topics
    routes = v2_objects(client, f"/routes/{q('h4/consistency')}")
    assert routes == [{"topic": "h4/consistency", "node": node}]
    v4 = client.get(f"{V4}/subscriptions/{q(subscriber.clientid)}")
    if v4.status_code == 200:
        assert "h4/consistency" in {s["topic"] for s in v4.json()["data"]}
    off = {"client_id": subscriber.clientid, "topic": "h4/consistency"}
    assert client.post(f"{V2}/mqtt/unsubscribe", json=off).json()["code"] == 0
    assert v2_objects(client, f"/routes/{q('h4/consistency')}") == []


@pytest.mark.read_only
def test_subscribe_needs_the_session_on_the_answering_node(
    client: TestClient, world: World
) -> None:
    elsewhere = next(c for c in world.clients(world.running_nodes()[1].name) if c.connected)
    body = {"client_id": elsewhere.clientid, "topic": "t", "qos": 0}
    answer = client.post(f"{V2}/mqtt/subscribe", json=body).json()
    assert answer == {"code": 102, "message": f"Clientid: {elsewhere.clientid} not found"}


def test_retained_publish_through_v2_moves_the_gauge(client: TestClient, world: World) -> None:
    node = world.running_nodes()[0].name
    before = client.get(f"{V2}/monitoring/stats/{node}").json()["result"]["retained/count"]
    body = {"topic": "h4/retained", "payload": "x", "retain": True}
    assert client.post(f"{V2}/mqtt/publish", json=body).json()["code"] == 0
    after = client.get(f"{V2}/monitoring/stats/{node}").json()["result"]
    assert after["retained/count"] == before + 1
    metrics = client.get(f"{V2}/monitoring/metrics/{node}").json()["result"]
    assert metrics["messages/retained"] == after["retained/count"]
