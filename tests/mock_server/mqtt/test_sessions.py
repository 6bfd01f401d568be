"""Real MQTT clients (paho-mqtt) are clients of the world: every API sees and acts on them."""

from __future__ import annotations

import time

import pytest

from mqtt_api_kit.fixtures.model import BannedEntry

from .conftest import Mock, wait_for
from .peer import Peer


@pytest.mark.parametrize("version", [4, 5])
def test_a_connecting_client_is_listed_by_all_three_apis(mock: Mock, version: int) -> None:
    peer = Peer(f"real-{version}", mock.mqtt_port, version=version, keepalive=42)
    with mock.api() as api:
        assert api.get(f"/api/v4/clients/real-{version}").json()["data"] == []  # warm
        assert peer.connect() == (0, False)
        start = time.monotonic()  # from the CONNACK to the API's answer
        v4 = api.get(f"/api/v4/clients/real-{version}").json()["data"]
        visible_after = time.monotonic() - start
        [row] = v4
        assert row["ip_address"] == "127.0.0.1" and row["port"] == peer.local_port
        assert row["proto_ver"] == version and row["keepalive"] == 42
        assert row["clean_start"] is True and row["connected"] is True
        assert row["node"] in {n.name for n in mock.world.nodes}
        v2 = api.get(f"/api/v2/clients/real-{version}").json()
        assert v2["result"]["objects"][0]["client_id"] == f"real-{version}"
        hive = api.get(f"/api/v1/mqtt/clients/real-{version}").json()
        assert hive["client"]["connected"] is True
    assert visible_after < 0.1
    peer.close()


def test_subscribe_api_publish_mqtt_publish_and_kick(mock: Mock) -> None:
    sub, pub = Peer("sub-1", mock.mqtt_port), Peer("pub-1", mock.mqtt_port, version=5)
    sub.connect()
    pub.connect()
    sub.subscribe("demo/#", qos=1)
    with mock.api() as api:
        subs = api.get("/api/v4/subscriptions/sub-1").json()["data"]
        assert [(s["topic"], s["qos"]) for s in subs] == [("demo/#", 1)]
        assert "demo/#" in {r["topic"] for r in api.get("/api/v4/routes").json()["data"]}

        body = {"topic": "demo/1", "payload": "hi", "clientid": "api", "qos": 1}
        assert api.post("/api/v4/mqtt/publish", json=body).json()["code"] == 0
        message = sub.receive()
        assert (message.topic, message.payload, message.qos) == ("demo/1", b"hi", 1)

        node = mock.read(lambda: mock.world.client("pub-1")).node
        before = api.get(f"/api/v4/nodes/{node}/metrics").json()["data"]
        pub.publish("demo/2", b"from a client", qos=1)
        assert sub.receive().payload == b"from a client"
        after = api.get(f"/api/v4/nodes/{node}/metrics").json()["data"]
        assert after["messages.received"] == before["messages.received"] + 1
        assert after["messages.qos1.received"] == before["messages.qos1.received"] + 1
        assert after["packets.publish.received"] == before["packets.publish.received"] + 1
        assert after["messages.publish"] == before["messages.publish"] + 1

        assert api.delete("/api/v4/clients/sub-1").json()["code"] == 0
        assert sub.disconnected.wait(5), "the kicked connection stayed open"
        assert api.get("/api/v4/clients/sub-1").json()["data"] == []
    pub.close()


def test_a_banned_client_id_is_refused_with_emqx_reason_codes(mock: Mock) -> None:
    now = mock.read(lambda: mock.world.now)
    mock.read(lambda: mock.world.ban(BannedEntry("clientid", "bad", "t", "", now, now + 10**9)))
    # paho reports an MQTT 3.1.1 return code as its MQTT 5 twin: 5 "not authorized" is 0x87
    assert Peer("bad", mock.mqtt_port).connect()[0] == 0x87
    assert Peer("bad", mock.mqtt_port, version=5).connect()[0] == 0x8A  # banned
    with mock.api() as api:
        assert api.get("/api/v4/clients/bad").json()["data"] == []


def test_the_websocket_listener_speaks_mqtt(mock: Mock) -> None:
    peer = Peer("over-ws", mock.ws_port, transport="websockets", version=5)
    assert peer.connect() == (0, False)
    peer.subscribe("ws/+")
    with mock.api() as api:
        [row] = api.get("/api/v4/clients/over-ws").json()["data"]
        assert row["proto_ver"] == 5
        api.post("/api/v4/mqtt/publish", json={"topic": "ws/x", "payload": "p", "clientid": "a"})
    assert peer.receive().payload == b"p"
    peer.close()


def test_qos2_retained_and_shared_subscriptions(mock: Mock) -> None:
    with mock.api() as api:
        body = {"topic": "keep/me", "payload": "old", "clientid": "api", "retain": True}
        api.post("/api/v4/mqtt/publish", json=body)
    a, b, c = (Peer(n, mock.mqtt_port, version=5) for n in ("share-a", "share-b", "watch"))
    for peer in (a, b, c):
        peer.connect()
    c.subscribe("keep/#", qos=2)
    retained = c.receive()
    assert (retained.topic, retained.payload, retained.retain) == ("keep/me", b"old", True)
    a.subscribe("$share/g/jobs/+", 2)
    b.subscribe("$share/g/jobs/+", 2)
    c.publish("jobs/1", b"work", qos=2)
    got = [p for p in (a, b) if not p.nothing(0.5)]
    assert len(got) == 1  # one member of the group gets it
    c.publish("keep/new", b"set by a client", qos=1, retain=True)
    assert c.receive().payload == b"set by a client"
    with mock.api() as api:
        retained_rows = mock.read(lambda: dict(mock.world.retained))
        assert retained_rows["keep/new"].publisher == "watch"
        assert api.get("/api/v4/clients/watch").json()["data"][0]["recv_msg.qos2"] == 1
    for peer in (a, b, c):
        peer.close()


def test_a_dropped_connection_publishes_its_will_and_disconnect_does_not(mock: Mock) -> None:
    watcher = Peer("watcher", mock.mqtt_port)
    watcher.connect()
    watcher.subscribe("wills/#", 1)
    polite = Peer("polite", mock.mqtt_port, will=("wills/polite", b"bye"))
    polite.connect()
    polite.close()
    assert watcher.nothing(0.5)
    rude = Peer("rude", mock.mqtt_port, will=("wills/rude", b"gone"))
    rude.connect()
    rude.drop()
    assert watcher.receive().payload == b"gone"
    watcher.close()


def test_a_persistent_session_stays_offline_and_gets_its_queue_on_resume(mock: Mock) -> None:
    peer = Peer("durable", mock.mqtt_port, clean=False)
    assert peer.connect() == (0, False)
    peer.subscribe("queue/#", 1)
    peer.close()
    with mock.api() as api:
        wait_for(lambda: api.get("/api/v4/clients/durable").json()["data"][0]["connected"] is False)
        api.post("/api/v4/mqtt/publish", json={"topic": "queue/1", "payload": "q", "qos": 1})
        [row] = api.get("/api/v4/clients/durable").json()["data"]
        assert row["mqueue_len"] == 1 and row["expiry_interval"] == 7200
    again = Peer("durable", mock.mqtt_port, clean=False)
    assert again.connect() == (0, True)
    assert again.receive().payload == b"q"
    again.close()


def test_api_subscribe_and_unsubscribe_change_what_a_real_client_receives(mock: Mock) -> None:
    peer = Peer("steered", mock.mqtt_port)
    peer.connect()
    with mock.api() as api:
        api.post("/api/v4/mqtt/subscribe", json={"topic": "steer/x", "clientid": "steered"})
        api.post("/api/v4/mqtt/publish", json={"topic": "steer/x", "payload": "1"})
        assert peer.receive().payload == b"1"
        api.post("/api/v4/mqtt/unsubscribe", json={"topic": "steer/x", "clientid": "steered"})
        api.post("/api/v4/mqtt/publish", json={"topic": "steer/x", "payload": "2"})
        assert peer.nothing()
    peer.close()


def test_hivemq_disconnect_closes_and_keeps_a_persistent_session(mock: Mock) -> None:
    peer = Peer("hive", mock.mqtt_port, version=5, clean=False, session_expiry=600)
    peer.connect()
    with mock.api() as api:
        assert api.delete("/api/v1/mqtt/clients/hive/connection").status_code == 204
        assert peer.disconnected.wait(5)
        assert api.get("/api/v4/clients/hive").json()["data"][0]["connected"] is False


def test_the_auth_table_is_applied_while_its_plugin_runs(mock: Mock) -> None:
    now = mock.read(lambda: mock.world.now)
    mock.read(lambda: mock.world.auth_db.add_user("username", "alice", "s3cret", now))
    wrong = Peer("a1", mock.mqtt_port, version=5, username="alice", password="nope")
    assert wrong.connect()[0] == 0x86  # bad user name or password
    # MQTT 3.1.1 return code 4 "bad user name or password", as paho reports it (0x86)
    assert Peer("a2", mock.mqtt_port, username="alice", password="nope").connect()[0] == 0x86
    right = Peer("a3", mock.mqtt_port, username="alice", password="s3cret")
    assert right.connect()[0] == 0
    right.close()
    anonymous = Peer("a4", mock.mqtt_port)  # no entry: allow_anonymous = true
    assert anonymous.connect()[0] == 0
    anonymous.close()


def test_emq_2_disconnect_closes_the_connection(mock: Mock) -> None:
    peer = Peer("old-api", mock.mqtt_port)
    peer.connect()
    with mock.api() as api:
        assert api.delete("/api/v2/clients/old-api").json()["code"] == 0
    assert peer.disconnected.wait(5)


def test_a_second_connection_takes_the_session_over(mock: Mock) -> None:
    first = Peer("twin", mock.mqtt_port, version=5)
    first.connect()
    second = Peer("twin", mock.mqtt_port, version=5)
    second.connect()
    assert first.disconnected.wait(5)
    assert int(first.disconnect_reason.value) == 0x8E  # session taken over
    first.client.loop_stop()
    with mock.api() as api:
        [row] = api.get("/api/v4/clients/twin").json()["data"]
        assert row["port"] == second.local_port
    second.close()
