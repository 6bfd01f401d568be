"""Routes owned by a plugin answer 404 `Not found.` while the plugin is inactive."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.mock_server.emqx_v4 import EmqxV4
from mqtt_api_kit.mock_server.emqx_v4.gating import plugins_of
from mqtt_api_kit.openapi import document


def deactivate_everywhere(world: World, plugin: str) -> None:
    for node in world.nodes:
        world.set_plugin_active(node.name, plugin, False)


@pytest.mark.read_only
def test_every_plugin_mark_names_a_known_plugin(world: World) -> None:
    owners = plugins_of(EmqxV4.api.document)
    known = set(world.nodes[0].plugins)
    assert set(owners.values()) <= known
    assert {"emqx_auth_mnesia", "emqx_rule_engine", "emqx_lwm2m", "emqx_sasl"} <= set(
        owners.values()
    )
    doc = document(EmqxV4.api.document)
    for item in doc["paths"].values():
        for op in item.values():
            plugin = op.get("x-emqx", {}).get("plugin") if isinstance(op, dict) else None
            if plugin:
                assert plugin in op["description"], op["operationId"]


@pytest.mark.parametrize(
    ("plugin", "path"),
    [
        ("emqx_rule_engine", "/api/v4/rules"),
        ("emqx_rule_engine", "/api/v4/rule_events"),
        ("emqx_auth_mnesia", "/api/v4/auth_username"),
        ("emqx_auth_mnesia", "/api/v4/acl/$all"),
        ("emqx_auth_mnesia", "/api/v4/emqx_acl"),
        ("emqx_telemetry", "/api/v4/telemetry/status"),
    ],
)
def test_active_plugin_routes_answer_and_inactive_ones_are_404(
    client: TestClient, world: World, plugin: str, path: str
) -> None:
    assert client.get(path).json()["code"] == 0
    deactivate_everywhere(world, plugin)
    gone = client.get(path)
    assert gone.status_code == 404 and gone.text == "Not found."
    assert gone.headers["content-type"].startswith("text/plain")


def test_gate_follows_the_answering_node_only(client: TestClient, world: World) -> None:
    first, *others = world.running_nodes()
    for node in others:
        world.set_plugin_active(node.name, "emqx_rule_engine", False)
    assert client.get("/api/v4/rules").status_code == 200
    world.set_plugin_active(first.name, "emqx_rule_engine", False)
    assert client.get("/api/v4/rules").status_code == 404


@pytest.mark.read_only
def test_inactive_plugins_are_gated_from_the_start(client: TestClient) -> None:
    for path in ("/api/v4/lwm2m_channels", "/api/v4/sasl"):
        assert client.get(path).status_code == 404


def test_gate_wins_over_a_rejected_request(client: TestClient, world: World) -> None:
    bad = {"_page": "abc"}
    assert client.get("/api/v4/auth_clientid", params=bad).status_code != 404
    deactivate_everywhere(world, "emqx_auth_mnesia")
    answer = client.get("/api/v4/auth_clientid", params=bad)
    assert answer.status_code == 404 and answer.text == "Not found."


def test_writes_are_refused_while_inactive_and_nothing_is_stored(
    client: TestClient, world: World
) -> None:
    deactivate_everywhere(world, "emqx_auth_mnesia")
    body = {"username": "gated-user", "password": "secret"}
    assert client.post("/api/v4/auth_username", json=body).status_code == 404
    assert world.auth_db.user("username", "gated-user") is None


def test_unload_and_load_through_the_plugin_endpoints(client: TestClient, world: World) -> None:
    node = world.running_nodes()[0].name
    assert client.get("/api/v4/rules").status_code == 200
    assert client.put("/api/v4/plugins/emqx_rule_engine/unload").json() == {"code": 0}
    assert client.get("/api/v4/rules").status_code == 404
    loaded = client.put(f"/api/v4/nodes/{node}/plugins/emqx_rule_engine/load")
    assert loaded.json() == {"code": 0}
    assert client.get("/api/v4/rules").json()["code"] == 0


def test_ungated_routes_stay_when_every_plugin_stops(client: TestClient, world: World) -> None:
    for node in world.nodes:
        for name in node.plugins:
            world.set_plugin_active(node.name, name, False)
    for path in ("/api/v4/trace", "/api/v4/users", "/api/v4/apps", "/api/v4/topic-metrics"):
        assert client.get(path).status_code == 200, path
