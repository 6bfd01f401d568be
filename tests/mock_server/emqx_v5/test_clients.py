"""`/clients…` as emqx_mgmt_api_clients.erl (5.8.1) answers, and one world with 4.x/2.3/HiveMQ."""

from __future__ import annotations

from urllib.parse import quote

from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World


def _path(clientid: str) -> str:
    return "/api/v5/clients/" + quote(clientid, safe="")


def test_a_page_and_its_meta(api: TestClient, world: World) -> None:
    r = api.get("/api/v5/clients", params={"limit": 7, "page": 2})
    body = r.json()
    assert body["meta"] == {"page": 2, "limit": 7, "hasnext": True, "count": world.client_count()}
    every = [c.clientid for c in world.clients()]
    assert [row["clientid"] for row in body["data"]] == every[7:14]


def test_rows_carry_5x_keys_and_rfc3339_times(api: TestClient, world: World) -> None:
    client = next(c for c in world.clients() if not c.connected)
    row = api.get(_path(client.clientid)).json()
    assert row["connected"] is False and row["disconnected_at"].endswith("+00:00")
    assert row["created_at"].count(":") == 3 and "." in row["created_at"]  # ms, offset
    assert row["expiry_interval"] == client.session_expiry
    assert "peerport" not in row and "zone" not in row
    assert row["subscriptions_max"] == "infinity"


def test_filters_and_count(api: TestClient, world: World) -> None:
    connected = sum(1 for c in world.clients() if c.connected)
    r = api.get("/api/v5/clients", params={"conn_state": "connected", "limit": 1}).json()
    assert r["meta"]["count"] == connected
    fuzzy = api.get("/api/v5/clients", params={"like_clientid": "a"}).json()
    assert "count" not in fuzzy["meta"]
    assert all("a" in row["clientid"] for row in fuzzy["data"])
    names = sorted({c.username for c in world.clients() if c.username})[:2]
    both = api.get("/api/v5/clients", params=[("username", n) for n in names]).json()
    assert {row["username"] for row in both["data"]} == set(names)


def test_bad_filter_values_are_invalid_parameter(api: TestClient) -> None:
    r = api.get("/api/v5/clients", params={"ip_address": "not-an-ip"})
    assert r.status_code == 400
    assert r.json() == {
        "code": "INVALID_PARAMETER",
        "message": "the ip_address parameter expected type is ip, but the value is not-an-ip",
    }
    assert api.get("/api/v5/clients", params={"limit": 0}).json()["code"] == "BAD_REQUEST"


def test_an_unknown_node_filter_is_node_down(api: TestClient) -> None:
    r = api.get("/api/v5/clients", params={"node": "emqx@nowhere"})
    assert r.status_code == 500 and r.json()["code"] == "NODE_DOWN"


def test_fields_keeps_the_keys_asked_for(api: TestClient) -> None:
    rows = api.get("/api/v5/clients", params={"fields": "clientid,node", "limit": 3}).json()
    assert all(set(row) == {"clientid", "node"} for row in rows["data"])


def test_unknown_client_is_404_clientid_not_found(api: TestClient) -> None:
    for method, suffix in (("GET", ""), ("DELETE", ""), ("GET", "/subscriptions")):
        r = api.request(method, _path("no-such-client") + suffix)
        assert r.status_code == 404, (method, suffix)
        assert r.json() == {"code": "CLIENTID_NOT_FOUND", "message": "Client ID not found"}


def test_a_client_kicked_through_v5_is_gone_everywhere(api: TestClient, world: World) -> None:
    client = next(c for c in world.clients() if c.connected)
    assert api.delete(_path(client.clientid)).status_code == 204
    assert api.get(_path(client.clientid)).status_code == 404
    v4 = api.get("/api/v4/clients/" + quote(client.clientid, safe="")).json()
    assert v4 == {"code": 0, "data": []}
    hivemq = api.get("/api/v1/mqtt/clients/" + quote(client.clientid, safe=""))
    assert hivemq.status_code == 404


def test_bulk_kickout_ignores_unknown_ids(api: TestClient, world: World) -> None:
    ids = [c.clientid for c in list(world.clients())[:3]]
    r = api.post("/api/v5/clients/kickout/bulk", json=[*ids, "nobody"])
    assert r.status_code == 204
    assert all(world.client(cid) is None for cid in ids)


def test_subscribe_and_unsubscribe_also_reach_an_offline_session(
    api: TestClient, world: World
) -> None:
    client = next(c for c in world.clients() if not c.connected)
    made = api.post(_path(client.clientid) + "/subscribe", json={"topic": "x/+", "qos": 2, "rh": 1})
    assert made.json() == {
        "qos": 2, "nl": 0, "rap": 0, "rh": 1,
        "node": client.node, "clientid": client.clientid, "topic": "x/+",
    }  # fmt: skip
    subs = api.get(_path(client.clientid) + "/subscriptions").json()
    assert {"topic": "x/+", "qos": 2, "rh": 1}.items() <= next(
        s for s in subs if s["topic"] == "x/+"
    ).items()
    v4 = api.get("/api/v4/subscriptions/" + quote(client.clientid, safe="")).json()
    assert any(s["topic"] == "x/+" for s in v4["data"])
    gone = api.post(_path(client.clientid) + "/unsubscribe", json={"topic": "x/+"})
    assert gone.status_code == 204
    subs = api.get(_path(client.clientid) + "/subscriptions").json()
    assert all(s["topic"] != "x/+" for s in subs)


def test_no_local_on_a_shared_subscription_is_refused(api: TestClient, world: World) -> None:
    client = next(iter(world.clients()))
    r = api.post(_path(client.clientid) + "/subscribe", json={"topic": "$share/g/t", "nl": 1})
    assert r.status_code == 400 and r.json()["code"] == "INVALID_PARAMETER"


def test_queued_messages_page_by_position(api: TestClient, world: World) -> None:
    client = max(world.clients(), key=lambda c: c.mqueue_len)
    assert client.mqueue_len > 4
    first = api.get(_path(client.clientid) + "/mqueue_messages", params={"limit": 3}).json()
    assert len(first["data"]) == 3
    after = api.get(
        _path(client.clientid) + "/mqueue_messages",
        params={"limit": 3, "position": first["meta"]["position"]},
    ).json()
    assert {m["msgid"] for m in first["data"]}.isdisjoint(m["msgid"] for m in after["data"])
    assert first["meta"]["start"] == after["meta"]["start"]
    bad = api.get(_path(client.clientid) + "/mqueue_messages", params={"position": "oops"})
    assert bad.json() == {"code": "INVALID_PARAMETER", "message": "position_limit_invalid"}


def test_a_publish_to_an_offline_session_is_queued(api: TestClient, world: World) -> None:
    client = next(c for c in world.clients() if not c.connected)
    api.post(_path(client.clientid) + "/subscribe", json={"topic": "queue/me", "qos": 1})
    before = client.mqueue_len
    sent = api.post("/api/v5/publish", json={"topic": "queue/me", "payload": "hello"})
    assert sent.status_code == 200
    queue = api.get(_path(client.clientid) + "/mqueue_messages", params={"limit": 10000}).json()
    assert len(queue["data"]) == before + 1
    assert queue["data"][-1]["msgid"] == sent.json()["id"]
    assert queue["data"][-1]["payload"] == "aGVsbG8="


def test_sessions_count_is_a_string(api: TestClient, world: World) -> None:
    assert api.get("/api/v5/sessions_count").json() == str(world.client_count())
