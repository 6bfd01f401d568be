"""`/mqtt/*`: the broker's body rules, answers and effects on the one world."""

from __future__ import annotations

import base64

import pytest
from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World


def online(world: World):
    return next(c for c in world.clients() if c.connected and c.max_subscriptions == 0)


def topics_of(client: TestClient, clientid: str) -> list[str]:
    return [s["topic"] for s in client.get(f"/api/v4/subscriptions/{clientid}").json()["data"]]


def test_subscribe_topic_wins_and_invalid_filters_are_dropped(client, world) -> None:
    c = online(world)
    r = client.post(
        "/api/v4/mqtt/subscribe", json={"clientid": c.clientid, "topics": "a/+,b/#/x,c"}
    )
    assert r.json() == {"code": 0}
    assert {"a/+", "c"} <= set(topics_of(client, c.clientid))
    assert "b/#/x" not in topics_of(client, c.clientid)
    r = client.post(
        "/api/v4/mqtt/subscribe", json={"clientid": c.clientid, "topic": "only", "topics": "x,y"}
    )
    assert r.json() == {"code": 0}
    assert "only" in topics_of(client, c.clientid) and "x" not in topics_of(client, c.clientid)


@pytest.mark.parametrize(
    ("body", "answer"),
    [
        ({"clientid": 7, "topic": "a"}, {"code": 108, "message": "bad clientid: must be string"}),
        ({"topic": "a"}, {"code": 108, "message": "bad clientid: must be string"}),
        ({"clientid": "CID", "topics": "a/#/b,+x"}, {"code": 115, "message": "bad_topic"}),
        ({"clientid": "CID", "topic": "a", "qos": "1"}, {"code": 116, "message": "bad_qos"}),
        ({"clientid": "CID", "topic": "a", "qos": 3}, {"code": 116, "message": "bad_qos"}),
        ({"clientid": "CID", "topic": "a", "qos": 1.0}, {"code": 116, "message": "bad_qos"}),
        ({"clientid": "nobody-here", "topic": "a"}, {"code": 112, "message": "channel_not_found"}),
    ],
)
@pytest.mark.read_only
def test_subscribe_refusals(client, world, body, answer) -> None:
    if body.get("clientid") == "CID":
        body = dict(body, clientid=online(world).clientid)
    before = world.revision
    r = client.post("/api/v4/mqtt/subscribe", json=body)
    assert r.status_code == 200 and r.json() == answer
    assert world.revision == before  # a refused request changes nothing


def test_unsubscribe_reads_only_topic(client, world) -> None:
    c = online(world)
    client.post("/api/v4/mqtt/subscribe", json={"clientid": c.clientid, "topic": "u/1"})
    r = client.post("/api/v4/mqtt/unsubscribe", json={"clientid": c.clientid, "topics": "u/1"})
    assert r.json() == {"code": 115, "message": "bad_topic"}
    r = client.post("/api/v4/mqtt/unsubscribe", json={"clientid": c.clientid, "topic": "u/1"})
    assert r.json() == {"code": 0} and "u/1" not in topics_of(client, c.clientid)


def test_publish_returns_message_ids_as_the_broker(client) -> None:
    one = client.post("/api/v4/mqtt/publish", json={"topic": "p/1", "payload": "x", "return": 1})
    assert set(one.json()["data"]) == {"msgid"}
    many = client.post("/api/v4/mqtt/publish", json={"topics": "p/1,p/2,p/+", "return": True})
    assert len(many.json()["data"]["msgids"]) == 2  # the wildcard name is dropped
    both = client.post("/api/v4/mqtt/publish", json={"topic": "p/1", "topics": "p/2", "return": 0})
    assert len(both.json()["data"]["msgids"]) == 1
    assert client.post("/api/v4/mqtt/publish", json={"topic": "p/1"}).json() == {"code": 0}


@pytest.mark.parametrize(
    ("body", "answer"),
    [
        ({"topic": "a", "encoding": "base64", "payload": "!!"}, 108),
        ({"topic": "a", "properties": {"nope": 1}}, 108),
        ({"topic": "a", "clientid": 1}, 108),
        ({"topic": "a/#"}, 115),
        ({}, 115),
    ],
)
@pytest.mark.read_only
def test_publish_refusals(client, body, answer) -> None:
    assert client.post("/api/v4/mqtt/publish", json=body).json()["code"] == answer


def test_base64_and_object_payloads_are_stored_as_bytes(client, world) -> None:
    raw = base64.b64encode(b"\x00\x01binary").decode()
    client.post(
        "/api/v4/mqtt/publish",
        json={"topic": "r/b64", "payload": raw, "encoding": "base64", "retain": True},
    )
    assert world.retained["r/b64"].payload == b"\x00\x01binary"
    client.post("/api/v4/mqtt/publish", json={"topic": "r/j", "payload": {"a": 1}, "retain": True})
    assert world.retained["r/j"].payload == b'{"a":1}'


def test_retained_message_needs_the_retainer_plugin(client, world) -> None:
    node = world.running_nodes()[0].name
    assert client.put(f"/api/v4/nodes/{node}/plugins/emqx_retainer/unload").json() == {"code": 0}
    client.post("/api/v4/mqtt/publish", json={"topic": "r/off", "payload": "x", "retain": True})
    assert "r/off" not in world.retained


def test_batches_answer_per_item_with_code_zero(client, world) -> None:
    c = online(world)
    r = client.post(
        "/api/v4/mqtt/subscribe_batch",
        json=[
            {"clientid": c.clientid, "topic": "b/1", "qos": 1},
            {"clientid": c.clientid, "topics": "b/#/x"},
            {"topic": "b/3"},
            {"clientid": c.clientid, "topic": "b/4", "qos": 5},
        ],
    )
    assert r.json() == {
        "code": 0,
        "data": [
            {"clientid": c.clientid, "topic": "b/1", "code": 0},
            {"clientid": c.clientid, "topic": "b/#/x", "code": 115},
            {"clientid": "undefined", "topic": "b/3", "code": 108},
            {"clientid": c.clientid, "topic": "b/4", "code": 116},
        ],
    }
    assert "b/1" in topics_of(client, c.clientid)
    r = client.post(
        "/api/v4/mqtt/publish_batch",
        json=[
            {"topic": "b/1", "payload": "x"},
            {"topic": "#"},
            {"topic": "x", "encoding": "base64", "payload": "*"},
        ],
    )
    assert r.json()["data"] == [
        {"topic": "b/1", "code": 0},
        {"topic": "#", "code": 115},
        {"code": 108, "message": "bad_params"},
    ]
    r = client.post(
        "/api/v4/mqtt/unsubscribe_batch", json=[{"clientid": c.clientid, "topic": "b/1"}]
    )
    assert r.json()["data"] == [{"clientid": c.clientid, "topic": "b/1", "code": 0}]
    assert "b/1" not in topics_of(client, c.clientid)


@pytest.mark.read_only
def test_a_body_that_is_not_json_is_400(client) -> None:
    r = client.post(
        "/api/v4/mqtt/subscribe", content=b"{oops", headers={"content-type": "application/json"}
    )
    assert r.status_code == 400 and r.text == "Bad Request"


def test_any_content_type_is_read_as_json(client, world) -> None:
    # curl -d sends application/x-www-form-urlencoded; the broker parses the body as JSON
    c = online(world)
    body = f'{{"clientid":"{c.clientid}","topic":"form/typed"}}'.encode()
    r = client.post(
        "/api/v4/mqtt/subscribe",
        content=body,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert r.json() == {"code": 0} and "form/typed" in topics_of(client, c.clientid)


def test_empty_bodies_mean_no_parameters(client, world) -> None:
    c = online(world)
    assert client.post(f"/api/v4/clients/{c.clientid}/ratelimit").json() == {"code": 0}
    assert client.put(f"/api/v4/clients/{c.clientid}/keepalive?interval=33").json() == {"code": 0}
    assert c.keepalive == 33
