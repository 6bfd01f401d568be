"""Client details, connection state, subscriptions, disconnect and invalidate."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import Client, World
from mqtt_api_kit.mock_server import MockConfig, create_app

from ...support import basic

RFC3339_MS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
ERROR_KEYS = {"title", "detail"}


def url(client: Client | str, tail: str = "") -> str:
    cid = client if isinstance(client, str) else client.clientid
    return f"/api/v1/mqtt/clients/{quote(cid, safe='')}{tail}"


def first(world: World, **wanted: object) -> Client:
    return next(c for c in world.clients() if all(getattr(c, k) == v for k, v in wanted.items()))


def v4(hive: TestClient, client: Client) -> list[dict]:
    return hive.get("/api/v4/clients/" + quote(client.clientid, safe="")).json()["data"]


@pytest.mark.read_only
def test_details_of_every_client_are_faithful(hive: TestClient, world: World) -> None:
    for c in world.clients():
        body = hive.get(url(c)).json()["client"]
        assert body["id"] == c.clientid and body["connected"] is c.connected
        assert body["sessionExpiryInterval"] == c.session_expiry
        assert body["messageQueueSize"] == c.mqueue_len
        assert body["willPresent"] is c.will_present
        assert body["restrictions"]["maxQueueSize"] == c.restrictions.max_queue_size
        if not c.connected:
            assert "connectedAt" not in body and "connection" not in body
            continue
        assert RFC3339_MS.match(body["connectedAt"])
        conn = body["connection"]
        assert conn["mqttVersion"] == {3: "MQTTv3_1", 4: "MQTTv3_1_1", 5: "MQTTv5"}[c.proto_ver]
        assert conn["cleanStart"] is c.clean_start and conn["keepAlive"] == c.keepalive
        assert conn["sourceIp"] == c.ip_address and conn.get("username") == c.username
        assert ("tlsInformation" in conn) is (c.tls is not None)
        assert ("proxyInformation" in conn) is (c.proxy is not None)
        assert None not in conn.values()


@pytest.mark.read_only
def test_listener_and_node_ids_are_hivemq_style_and_stable(hive: TestClient, world: World) -> None:
    tls = first(world, listener="ssl:default", connected=True)
    conn = hive.get(url(tls)).json()["client"]["connection"]
    assert conn["connectedListenerId"] == "tls-tcp-listener-8883"
    assert conn["tlsInformation"]["tlsVersion"] in ("1.2", "1.3")
    same_node = [c for c in world.clients(tls.node) if c.connected][:5]
    ids = {hive.get(url(c)).json()["client"]["connection"]["connectedNodeId"] for c in same_node}
    assert len(ids) == 1 and re.match(r"^[0-9A-Za-z]{5}$", ids.pop())


@pytest.mark.read_only
def test_connected_at_is_the_worlds_time(hive: TestClient, world: World) -> None:
    c = first(world, connected=True)
    c.connected_at = 1_595_257_190_580  # 2020-07-20T14:59:50.580Z, HiveMQ's own example
    assert hive.get(url(c)).json()["client"]["connectedAt"] == "2020-07-20T14:59:50.580Z"


@pytest.mark.read_only
def test_connection_state(hive: TestClient, world: World) -> None:
    for c in (first(world, connected=True), first(world, connected=False)):
        assert hive.get(url(c, "/connection")).json() == {"connection": {"connected": c.connected}}


@pytest.mark.read_only
def test_subscriptions_use_hivemq_enums_and_share_prefix(hive: TestClient, world: World) -> None:
    seen_shared = False
    for c in world.clients():
        items = hive.get(url(c, "/subscriptions")).json()["items"]
        subs = world.subscriptions_of(c.clientid)
        assert len(items) == len(subs)
        for item, sub in zip(items, subs, strict=True):
            assert item["qos"] == ("AT_MOST_ONCE", "AT_LEAST_ONCE", "EXACTLY_ONCE")[sub.qos]
            assert item["retainHandling"] in ("SEND", "SEND_IF_NEW_SUBSCRIPTION", "DO_NOT_SEND")
            if sub.group:
                seen_shared = True
                assert item["topicFilter"] == f"$share/{sub.group}/{sub.topic}"
            assert ("subscriptionIdentifier" in item) is (sub.subscription_identifier is not None)
    assert seen_shared


@pytest.mark.read_only
def test_percent_encoded_slash_stays_in_the_client_id(hive: TestClient, world: World) -> None:
    slashed = next(c for c in world.clients() if "/" in c.clientid)
    assert hive.get(url(slashed)).json()["client"]["id"] == slashed.clientid


@pytest.mark.parametrize("tail", ["", "/connection", "/subscriptions"])
@pytest.mark.read_only
def test_unknown_client_is_404_in_the_error_shape(hive: TestClient, tail: str) -> None:
    response = hive.get(url("no-such-client", tail))
    assert response.status_code == 404
    [error] = response.json()["errors"]
    assert error.keys() == ERROR_KEYS and error["title"] == "Resource not found"
    assert "no-such-client" in error["detail"]


def test_disconnect_keeps_a_persistent_session_offline(hive: TestClient, world: World) -> None:
    c = first(world, connected=True, clean_start=False)
    assert c.session_expiry > 0
    response = hive.delete(url(c, "/connection"))
    assert response.status_code == 204 and response.content == b""
    details = hive.get(url(c)).json()["client"]
    assert details["connected"] is False and "connection" not in details
    assert c.clientid in [i["id"] for i in hive.get("/api/v1/mqtt/clients").json()["items"]]
    assert len(hive.get(url(c, "/subscriptions")).json()["items"]) == len(
        world.subscriptions_of(c.clientid)
    )
    [row] = v4(hive, c)  # the same world through EMQX v4
    assert row["connected"] is False and "disconnected_at" in row
    # There is no connection left to delete.
    assert hive.delete(url(c, "/connection")).status_code == 404


def test_disconnect_ends_a_clean_session(hive: TestClient, world: World) -> None:
    c = first(world, connected=True, clean_start=True)
    assert hive.delete(url(c, "/connection")).status_code == 204
    assert hive.get(url(c)).status_code == 404
    assert v4(hive, c) == []


@pytest.mark.parametrize("prevent, published", [("false", 1), ("true", 0)])
def test_will_is_published_unless_prevented(
    hive: TestClient, world: World, prevent: str, published: int
) -> None:
    c = first(world, connected=True, will_present=True)
    node = world.node(c.node)
    before = node.metrics["messages.received"]
    response = hive.delete(url(c, "/connection"), params={"preventWillMessage": prevent})
    assert response.status_code == 204
    assert node.metrics["messages.received"] - before == published


def test_invalidate_removes_an_offline_or_online_session(hive: TestClient, world: World) -> None:
    for c in (first(world, connected=False), first(world, connected=True, clean_start=False)):
        response = hive.delete(url(c))
        assert response.status_code == 204 and response.content == b""
        assert hive.get(url(c)).status_code == 404
        assert v4(hive, c) == []
        assert not world.subscriptions_of(c.clientid)
    assert hive.delete(url("no-such-client")).status_code == 404


@pytest.mark.parametrize(
    "method, path, params, culprit",
    [
        ("GET", "/api/v1/mqtt/clients", {"limit": 49}, "limit"),
        ("GET", "/api/v1/mqtt/clients", {"limit": 2501}, "limit"),
        ("GET", "/api/v1/mqtt/clients", {"limit": "ten"}, "limit"),
        ("DELETE", "/api/v1/mqtt/clients/x", {"preventWillMessage": "yes"}, "preventWillMessage"),
        ("DELETE", "/api/v1/mqtt/clients/x/connection", {"preventWillMessage": 2}, "preventWill"),
        # `limit` is read only by the lists that declare it (elsewhere JAX-RS ignores it).
        ("DELETE", "/api/v1/mqtt/clients/x", {"limit": 1, "preventWillMessage": "y"}, "prevent"),
        ("GET", "/api/v1/data-hub/schemas", {"limit": 9}, "limit"),
        ("GET", "/api/v1/data-hub/schemas", {"limit": 501}, "limit"),
    ],
)
@pytest.mark.read_only
def test_bad_parameters_are_400_naming_the_parameter(
    hive: TestClient, world: World, method: str, path: str, params: dict, culprit: str
) -> None:
    count = world.client_count()
    response = hive.request(method, path, params=params)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["title"] == "Parameter invalid" and f"'{culprit}" in error["detail"]
    assert world.client_count() == count  # nothing stored is lost


@pytest.mark.parametrize(
    "method, path", [("GET", "/api/v1/nothing"), ("POST", "/api/v1/mqtt/clients")]
)
@pytest.mark.read_only
def test_unknown_route_or_method_is_404_in_the_error_shape(
    hive: TestClient, method: str, path: str
) -> None:
    response = hive.request(method, path)
    assert response.status_code == 404
    assert response.json()["errors"][0]["title"] == "Resource not found"


@pytest.mark.read_only
def test_open_by_default_while_emqx_keeps_its_credentials(world: World) -> None:
    anonymous = TestClient(create_app(world, MockConfig()))
    assert anonymous.get("/api/v1/mqtt/clients").status_code == 200
    assert anonymous.get("/api/v4/clients").status_code == 401


@pytest.mark.read_only
def test_optional_credentials_are_checked_before_routing(world: World) -> None:
    app = create_app(world, MockConfig(hivemq_auth=("ops", "s3cret")))
    anonymous = TestClient(app)
    for path in ("/api/v1/mqtt/clients", "/api/v1/no/such/route"):
        response = anonymous.get(path)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == 'Basic realm="HiveMQ"'
        assert response.json()["errors"][0]["title"] == "Unauthorized"
    assert anonymous.get("/api/v1/mqtt/clients", auth=("ops", "wrong")).status_code == 401
    authed = TestClient(app, headers=basic("ops", "s3cret"))
    assert authed.get("/api/v1/mqtt/clients").status_code == 200
    assert anonymous.get("/api/v4/clients", auth=("admin", "public")).status_code == 200
