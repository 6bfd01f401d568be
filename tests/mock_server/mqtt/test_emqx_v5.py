"""Real MQTT clients through EMQX 5's API: `/api/v5` lists, subscribes, publishes to and kicks
the connections of the mock's listeners, as it does the generated clients."""

from __future__ import annotations

from .conftest import Mock, wait_for
from .peer import Peer


def test_a_real_client_is_a_v5_client_with_its_subscriptions(mock: Mock) -> None:
    peer = Peer("real-v5", mock.mqtt_port, version=5, keepalive=30)
    assert peer.connect() == (0, False)
    peer.subscribe("plant/+/temp", qos=1)
    with mock.api() as api:
        row = api.get("/api/v5/clients/real-v5").json()
        assert row["clientid"] == "real-v5" and row["connected"] is True
        assert row["proto_ver"] == 5 and row["keepalive"] == 30
        assert row["ip_address"] == "127.0.0.1" and row["port"] == peer.local_port
        assert row["subscriptions_cnt"] == 1
        listed = api.get("/api/v5/clients", params={"clientid": "real-v5"}).json()
        assert [c["clientid"] for c in listed["data"]] == ["real-v5"]
        subs = api.get("/api/v5/clients/real-v5/subscriptions").json()
        assert [(s["topic"], s["qos"]) for s in subs] == [("plant/+/temp", 1)]
        everyone = api.get("/api/v5/subscriptions", params={"clientid": "real-v5"}).json()
        assert [s["topic"] for s in everyone["data"]] == ["plant/+/temp"]
    peer.close()


def test_v5_publish_reaches_a_real_subscriber_and_v5_kick_closes_it(mock: Mock) -> None:
    peer = Peer("sub-v5", mock.mqtt_port, version=5)
    peer.connect()
    with mock.api() as api:
        subscribed = api.post(
            "/api/v5/clients/sub-v5/subscribe", json={"topic": "cmd/sub-v5", "qos": 1}
        )
        assert subscribed.status_code == 200
        body = {"topic": "cmd/sub-v5", "payload": "restart", "qos": 1}
        assert api.post("/api/v5/publish", json=body).status_code == 200
        message = peer.receive()
        assert (message.topic, message.payload, message.qos) == ("cmd/sub-v5", b"restart", 1)

        assert api.delete("/api/v5/clients/sub-v5").status_code == 204
        assert peer.disconnected.wait(5), "the kicked connection stayed open"
        wait_for(lambda: api.get("/api/v5/clients/sub-v5").status_code == 404)
        assert api.get("/api/v4/clients/sub-v5").json()["data"] == []


def test_auto_subscribe_subscribes_a_real_client_when_it_connects(mock: Mock) -> None:
    with mock.api() as api:
        auto = [{"topic": "auto/${clientid}", "qos": 1}]
        assert api.put("/api/v5/mqtt/auto_subscribe", json=auto).status_code == 200
        peer = Peer("auto-v5", mock.mqtt_port, version=5)
        peer.connect()
        wait_for(lambda: bool(api.get("/api/v5/clients/auto-v5/subscriptions").json()))
        subs = api.get("/api/v5/clients/auto-v5/subscriptions").json()
        assert [(s["topic"], s["qos"]) for s in subs] == [("auto/auto-v5", 1)]
        body = {"topic": "auto/auto-v5", "payload": "hello", "qos": 1}
        assert api.post("/api/v5/publish", json=body).status_code == 200
        message = peer.receive()
        assert (message.topic, message.payload) == ("auto/auto-v5", b"hello")
    peer.close()
