"""`/bridges…`: the 5.0–5.3 data-bridge API over the world's connectors and actions."""

from __future__ import annotations

from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World


def test_only_a_connector_with_one_channel_is_a_bridge(api: TestClient, world: World) -> None:
    names = {(b["type"], b["name"]) for b in api.get("/api/v5/bridges").json()}
    # ops_webhook serves one action; cloud_broker serves an action and a source
    assert names == {("webhook", "overheat_alerts")}
    assert api.get("/api/v5/bridges/mqtt:cloud_forward").status_code == 404
    taken = api.post(
        "/api/v5/bridges",
        json={"type": "mqtt", "name": "cloud_forward", "server": "x:1883", "egress": {}},
    )
    assert taken.status_code == 400 and taken.json()["code"] == "ALREADY_EXISTS"


def test_a_webhook_is_its_connector_and_action_merged(api: TestClient) -> None:
    bridge = api.get("/api/v5/bridges/webhook:overheat_alerts").json()
    connector = api.get("/api/v5/connectors/http:ops_webhook").json()
    action = api.get("/api/v5/actions/http:overheat_alerts").json()
    assert bridge["url"] == connector["url"] + action["parameters"]["path"]
    assert bridge["method"] == action["parameters"]["method"] and bridge["body"] == "${.}"
    assert bridge["pool_size"] == connector["pool_size"]
    assert bridge["status"] == "connected"


def test_the_exporters_walk_bridges_then_metrics(api: TestClient, world: World) -> None:
    """emqx-exporter (client/client_5.x.go getDataBridge): `/bridges`, then each one's
    `/bridges/{type}:{name}/metrics`, reading queuing, rate_last5m, rate_max, failed, dropped."""
    for bridge in api.get("/api/v5/bridges").json():
        answer = api.get(f"/api/v5/bridges/{bridge['type']}:{bridge['name']}/metrics").json()
        item = world.integration.get("action", "http", bridge["name"])
        assert item is not None
        failed = sum(m["failed"] for m in item.metrics.values())
        assert answer["metrics"]["failed"] == failed
        assert {"queuing", "rate_last5m", "rate_max", "dropped"} <= set(answer["metrics"])
        assert len(answer["node_metrics"]) == len(item.metrics)


def test_create_update_switch_and_delete_write_connector_and_action(api: TestClient) -> None:
    body = {"type": "webhook", "name": "audit", "url": "http://audit.example/in",
            "method": "put", "body": "${payload}", "headers": {"x-k": "1"}}  # fmt: skip
    made = api.post("/api/v5/bridges", json=body)
    assert made.status_code == 201 and made.json()["url"] == "http://audit.example/in"
    connector = api.get("/api/v5/connectors/http:audit").json()
    assert connector["url"] == "http://audit.example/in" and connector["actions"] == ["audit"]
    action = api.get("/api/v5/actions/http:audit").json()
    assert action["parameters"]["method"] == "put" and action["connector"] == "audit"

    changed = api.put("/api/v5/bridges/webhook:audit", json={**body, "method": "post"})
    assert changed.json()["method"] == "post"
    assert api.get("/api/v5/actions/http:audit").json()["parameters"]["method"] == "post"

    assert api.put("/api/v5/bridges/webhook:audit/enable/false").status_code == 204
    assert api.get("/api/v5/connectors/http:audit").json()["enable"] is False
    off = api.post("/api/v5/bridges/webhook:audit/restart")
    assert off.json()["message"] == "Forbidden operation, bridge not enabled"

    assert api.delete("/api/v5/bridges/webhook:audit").status_code == 204
    assert api.get("/api/v5/connectors/http:audit").status_code == 404
    assert api.get("/api/v5/actions/http:audit").status_code == 404


def test_a_taken_connector_name_gets_a_suffix(api: TestClient) -> None:
    connector = {"type": "http", "name": "relay", "url": "http://a.example"}
    assert api.post("/api/v5/connectors", json=connector).status_code == 201
    body = {"type": "webhook", "name": "relay", "url": "http://b.example"}
    assert api.post("/api/v5/bridges", json=body).status_code == 201
    assert api.get("/api/v5/actions/http:relay").json()["connector"] == "relay_2"


def test_rules_depending_on_a_bridge_keep_it(api: TestClient, world: World) -> None:
    users = [
        r.id
        for r in world.rule_engine.rules.values()
        if any(a.name == "http:overheat_alerts" for a in r.actions)
    ]
    kept = api.delete("/api/v5/bridges/webhook:overheat_alerts")
    assert kept.status_code == 400 and kept.json()["rules"] == users
    forced = api.delete(
        "/api/v5/bridges/webhook:overheat_alerts", params={"also_delete_dep_actions": "true"}
    )
    assert forced.status_code == 204
    assert api.get("/api/v5/connectors/http:ops_webhook").status_code == 404
    for rule_id in users:  # the rules stay, without the action
        actions = api.get(f"/api/v5/rules/{rule_id}").json()["actions"]
        assert "http:overheat_alerts" not in actions


def test_bad_ids_are_404_with_emqx_reasons(api: TestClient) -> None:
    assert api.get("/api/v5/bridges/nocolon").json()["message"] == (
        "Invalid bridge ID, should be of format {type}:{name}"
    )
    assert api.get("/api/v5/bridges/kafka:x").json()["message"] == (
        "Invalid bridge ID, invalid_bridge_type: kafka"
    )
