"""The EMQ 2.3 dialect: paging, shapes, failures and writes over the world."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.mock_server import MockConfig, create_app

from ...support import basic

V2 = "/api/v2"


def first_node(world: World) -> str:
    return world.running_nodes()[0].name


def result(response) -> Any:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["code"] == 0, body
    return body["result"]


@pytest.mark.read_only
def test_client_list_pages_connected_clients_of_the_node(client: TestClient, world: World) -> None:
    node = first_node(world)
    connected = [c.clientid for c in world.clients(node) if c.connected]
    page = result(client.get(f"{V2}/nodes/{node}/clients", params={"curr_page": 2, "page_size": 7}))
    assert page["current_page"] == 2 and page["page_size"] == 7
    assert page["total_num"] == len(connected)
    assert page["total_page"] == math.ceil(len(connected) / 7)
    assert [o["client_id"] for o in page["objects"]] == connected[7:14]


@pytest.mark.read_only
def test_paging_defaults_and_first_page_below_one(client: TestClient, world: World) -> None:
    node = first_node(world)
    default = result(client.get(f"{V2}/nodes/{node}/sessions"))
    assert default["current_page"] == 1 and default["page_size"] == 20
    zero = result(client.get(f"{V2}/nodes/{node}/sessions", params={"curr_page": 0}))
    assert zero["current_page"] == 0 and zero["objects"] == default["objects"]
    beyond = result(client.get(f"{V2}/routes", params={"curr_page": 10**6}))
    assert beyond["objects"] == [] and beyond["total_num"] == len(world.routes())


@pytest.mark.parametrize("query", ["page_size=0", "page_size=-1", "curr_page=x", "page_size=1.5"])
@pytest.mark.read_only
def test_bad_paging_crashes_the_handler_404_empty(client: TestClient, world: World, query) -> None:
    response = client.get(f"{V2}/nodes/{first_node(world)}/clients?{query}")
    assert response.status_code == 404 and response.content == b""


@pytest.mark.read_only
def test_sessions_include_offline_persistent_ones(client: TestClient, world: World) -> None:
    offline = next(c for c in world.clients() if not c.connected)
    sessions = result(client.get(f"{V2}/sessions/{quote(offline.clientid, safe='')}"))["objects"]
    assert [s["client_id"] for s in sessions] == [offline.clientid]
    assert result(client.get(f"{V2}/clients/{quote(offline.clientid, safe='')}"))["objects"] == []


@pytest.mark.read_only
def test_client_object_shape(client: TestClient, world: World) -> None:
    c = (
        next(c for c in world.clients() if c.connected and c.username is None)
        if any(x.connected and x.username is None for x in world.clients())
        else next(c for c in world.clients() if c.connected)
    )
    (row,) = result(client.get(f"{V2}/clients/{quote(c.clientid, safe='')}"))["objects"]
    assert set(row) == {
        "client_id", "username", "ipaddress", "port", "clean_sess", "proto_ver", "keepalive",
        "connected_at",
    }  # fmt: skip
    assert row["username"] == (c.username or "undefined") and row["clean_sess"] is c.clean_start


@pytest.mark.read_only
def test_unknown_node_crashes_reads_but_fails_writes_with_102(client: TestClient) -> None:
    for path in ("clients", "plugins", "configs", "sessions"):
        response = client.get(f"{V2}/nodes/nobody@nowhere/{path}")
        assert response.status_code == 404 and response.content == b"", path
    put = client.put(f"{V2}/nodes/nobody@nowhere/plugins/emqx_recon", json={"active": False})
    assert put.json() == {"code": 102, "message": "unknown"}


@pytest.mark.read_only
def test_unknown_route_is_404_with_an_empty_body(client: TestClient) -> None:
    response = client.get(f"{V2}/no/such/route")
    assert response.status_code == 404 and response.content == b""


@pytest.mark.parametrize("headers", [{}, basic("admin", "wrong"), {"Authorization": "Bearer x"}])
@pytest.mark.read_only
def test_credentials_failure_is_401_with_an_empty_body(world: World, headers) -> None:
    app = TestClient(create_app(world, MockConfig()), headers=headers)
    for path in ("/management/nodes", "/no/such/route"):
        response = app.get(V2 + path)
        assert response.status_code == 401 and response.content == b""
        assert response.headers["www-authenticate"] == 'Basic Realm="emqx control center"'
        assert "content-type" not in response.headers


@pytest.mark.read_only
def test_cluster_wide_monitoring_is_wrapped_in_a_one_element_array(
    client: TestClient, world: World
) -> None:
    names = [n.name for n in world.running_nodes()]
    for what in ("listeners", "metrics", "stats"):
        wrapped = result(client.get(f"{V2}/monitoring/{what}"))
        assert isinstance(wrapped, list) and len(wrapped) == 1 and list(wrapped[0]) == names
    per_node = result(client.get(f"{V2}/monitoring/listeners/{names[0]}"))
    assert result(client.get(f"{V2}/monitoring/listeners"))[0][names[0]] == per_node[::-1]


@pytest.mark.read_only
def test_metrics_and_stats_are_the_worlds_counters(client: TestClient, world: World) -> None:
    node = world.running_nodes()[0]
    metrics = result(client.get(f"{V2}/monitoring/metrics/{node.name}"))
    assert metrics["packets/connect"] == node.metrics["packets.connect.received"]
    assert metrics["messages/qos1/sent"] == node.metrics["messages.qos1.sent"]
    stats = result(client.get(f"{V2}/monitoring/stats/{node.name}"))
    gauges = world.stats(node.name)[node.name]
    assert stats["clients/count"] == gauges["connections.count"]
    assert stats["subscriptions/count"] == gauges["subscriptions.count"]
    assert list(stats) == sorted(stats)


def test_body_faults_answer_as_the_dispatcher(client: TestClient) -> None:
    url = f"{V2}/mqtt/publish"
    assert client.post(url, json={"topic": "a"}).json() == {"code": 107, "message": "params error"}
    wrong = client.post(url, json={"topic": 5, "payload": "x"}).json()
    assert wrong == {"code": 108, "message": "params type error"}
    raw = client.post(url, content=b"{nope", headers={"content-type": "application/json"})
    assert raw.json() == {"code": 109, "message": "Body not json"}
    # 2.3 reads the body as JSON whatever its content type (curl -d sends a form type).
    form = client.post(
        url,
        content=b'{"topic":"t","payload":"p"}',
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert form.json() == {"code": 0, "result": []}
    for junk in (b"topic=t", b"\xff\xfe{"):
        answer = client.post(url, content=junk, headers={"content-type": "application/json"})
        assert answer.json() == {"code": 109, "message": "Body not json"}
    bad_topic = client.post(url, json={"topic": "a/+", "payload": "x"}).json()
    assert bad_topic == {"code": 102, "message": "validate topic: a/+ fail"}


def test_plugin_start_stop_codes(client: TestClient, world: World) -> None:
    node = first_node(world)
    url = f"{V2}/nodes/{node}/plugins/emqx_recon"
    assert client.put(url, json={"active": True}).json()["code"] == 110
    assert client.put(url, json={"active": False}).json() == {"code": 0, "result": []}
    assert world.plugin(node, "emqx_recon").active is False
    assert client.put(url, json={"active": False}).json() == {"code": 111, "message": "not_started"}
    missing = client.put(f"{V2}/nodes/{node}/plugins/nope", json={"active": True}).json()
    assert missing == {"code": 102, "message": "unknown"}


def test_configs_change_on_one_node_or_all(client: TestClient, world: World) -> None:
    a, b = (n.name for n in world.running_nodes()[:2])
    body = {"key": "mqtt.max_packet_size", "value": "1MB"}
    assert result(client.put(f"{V2}/nodes/{a}/configs/emqttd", json=body)) == []
    values = {n: {c["key"]: c["value"] for c in rows}
              for n, rows in result(client.get(f"{V2}/configs")).items()}  # fmt: skip
    assert values[a]["mqtt.max_packet_size"] == "1MB"
    assert values[b]["mqtt.max_packet_size"] == "64KB"
    unknown = client.put(f"{V2}/configs/emqttd", json={"key": "no.such", "value": "1"})
    assert unknown.json() == {"code": 102}


def test_users_lifecycle(client: TestClient) -> None:
    new = {"username": "ops", "password": "pw1", "tags": "viewer"}
    assert result(client.post(f"{V2}/users", json=new)) == []
    assert client.post(f"{V2}/users", json=new).json()["code"] == 113
    assert result(client.get(f"{V2}/users/ops")) == {"username": "ops", "tags": "viewer"}
    assert client.post(f"{V2}/auth", json={"username": "ops", "password": "no"}).json() == {
        "code": 103, "message": "Password error"}  # fmt: skip
    change = {"old_pwd": "pw1", "new_pwd": "pw2"}
    assert result(client.put(f"{V2}/change_pwd/ops", json=change)) == []
    assert client.put(f"{V2}/change_pwd/ops", json=change).json()["code"] == 114
    assert result(client.post(f"{V2}/auth", json={"username": "ops", "password": "pw2"})) == []
    assert result(client.delete(f"{V2}/users/ops")) == []
    assert result(client.get(f"{V2}/users/ops")) == []
    assert client.delete(f"{V2}/users/ops").json() == {"code": 105, "message": "User not found"}
    assert client.delete(f"{V2}/users/admin").json()["code"] == 106


@pytest.mark.read_only
def test_auth_check_needs_no_credentials(world: World) -> None:
    anonymous = TestClient(create_app(world, MockConfig()))
    answer = anonymous.post(f"{V2}/auth", json={"username": "admin", "password": "public"})
    assert answer.json() == {"code": 0, "result": []}
    wrong = anonymous.post(f"{V2}/auth", json={"username": "nobody", "password": "x"})
    assert wrong.json() == {"code": 103, "message": "User not found"}
    assert anonymous.get(f"{V2}/users").status_code == 401
