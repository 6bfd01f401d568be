"""Rule engine: rules, resources, catalogues, SQL test; errors as HTTP 200 with code 400/404."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World

RULE = {
    "rawsql": 'select * from "t/a"',
    "actions": [{"name": "inspect", "params": {"a": 1}}],
    "description": "test-rule",
}


def test_rule_crud_round_trip(client: TestClient, world: World) -> None:
    created = client.post("/api/v4/rules", json=RULE).json()
    assert created["code"] == 0
    rule = created["data"]
    assert rule["id"].startswith("rule:") and rule["for"] == ["t/a"] and rule["enabled"] is True
    assert rule["actions"][0]["id"].startswith("inspect_")
    rid = quote(rule["id"], safe="")
    assert client.get(f"/api/v4/rules/{rid}").json()["data"] == rule
    moved = client.put(f"/api/v4/rules/{rid}", json={"rawsql": 'select * from "t/b"'}).json()
    assert moved["data"]["rawsql"] == 'select * from "t/b"' and moved["data"]["for"] == ["t/a"]
    off = client.put(f"/api/v4/rules/{rid}", json={"enabled": False}).json()["data"]
    assert off["enabled"] is False
    assert client.delete(f"/api/v4/rules/{rid}").json() == {"code": 0}
    gone = client.get(f"/api/v4/rules/{rid}")
    assert gone.status_code == 200 and gone.json()["code"] == 404
    assert client.delete(f"/api/v4/rules/{rid}").json() == {"code": 0}


def test_refusals_are_400_in_the_body(client: TestClient) -> None:
    body: Mapping[str, object]
    for body in (
        {"actions": []},
        {"rawsql": "selec nothing"},
        {"rawsql": 'select * from "t"', "actions": [{"name": "no_such_action"}]},
        {"rawsql": 'select * from "t"', "actions": [{"name": "data_to_webserver"}]},
    ):
        answer = client.post("/api/v4/rules", json=body)
        assert answer.status_code == 200 and answer.json()["code"] == 400, body
    assert client.put("/api/v4/rules/rule:nope", json={}).json()["code"] == 404


@pytest.mark.read_only
def test_list_is_paged_and_filterable(client: TestClient, world: World) -> None:
    rules = list(world.rule_engine.rules.values())
    body = client.get("/api/v4/rules", params={"_limit": 2}).json()
    assert body["meta"] == {"page": 1, "limit": 2, "count": len(rules), "hasnext": len(rules) > 2}
    enabled = client.get("/api/v4/rules", params={"enabled": "false"}).json()
    assert enabled["meta"]["count"] == -1
    assert [r["id"] for r in enabled["data"]] == [r.id for r in rules if not r.enabled]
    matching = client.get(
        "/api/v4/rules", params={"_match_for": "factory/osaka/line/3/temperature"}
    )
    assert (
        all("factory/+/line/+/temperature" in r["for"] for r in matching.json()["data"])
        and matching.json()["data"]
    )


@pytest.mark.read_only
def test_sql_test_runs_against_the_context(client: TestClient, world: World) -> None:
    before = len(world.rule_engine.rules)
    sql = 'SELECT payload.x AS x, upper(clientid) AS who FROM "t/#" WHERE payload.x > 5'
    ctx = {"topic": "t/1", "payload": '{"x": 9}', "clientid": "abc"}
    hit = client.post("/api/v4/rules", params={"test": "true"}, json={"rawsql": sql, "ctx": ctx})
    assert hit.json() == {"code": 0, "data": {"x": 9, "who": "ABC"}}
    miss = client.post(
        "/api/v4/rules",
        params={"test": "true"},
        json={"rawsql": sql, "ctx": {**ctx, "payload": '{"x": 1}'}},
    )
    assert miss.json() == {"code": 400, "message": "SQL Not Match"}
    events = 'SELECT clientid FROM "$events/client_connected"'
    event = client.post(
        "/api/v4/rules", params={"test": "true"}, json={"rawsql": events, "ctx": {}}
    )
    assert event.json() == {"code": 0, "data": {"clientid": "c_emqx"}}
    assert len(world.rule_engine.rules) == before


def test_reset_metrics_zeroes_the_counters(client: TestClient, world: World) -> None:
    rule = next(r for r in world.rule_engine.rules.values() if r.enabled)
    assert any(m.matched for m in rule.metrics.values())
    rid = quote(rule.id, safe="")
    assert client.put(f"/api/v4/rules/{rid}/reset_metrics").json() == {"code": 0}
    metrics = client.get(f"/api/v4/rules/{rid}").json()["data"]["metrics"]
    assert {m["matched"] for m in metrics} == {0} and len(metrics) == len(world.running_nodes())


def test_resource_life_cycle_and_in_use_protection(client: TestClient, world: World) -> None:
    body = {"type": "web_hook", "config": {"url": "http://127.0.0.1:9910"}, "description": "r1"}
    res = client.post("/api/v4/resources", json=body).json()["data"]
    rid = quote(res["id"], safe="")
    shown = client.get(f"/api/v4/resources/{rid}").json()["data"]
    assert [s["node"] for s in shown["status"]] == [n.name for n in world.running_nodes()]
    assert "status" not in client.get("/api/v4/resources").json()["data"][0]
    assert client.get(f"/api/v4/resource_status/{rid}").json()["data"] == {"is_alive": True}
    rule = {
        "rawsql": 'select * from "t"',
        "actions": [{"name": "data_to_webserver", "params": {"$resource": res["id"]}}],
    }
    created = client.post("/api/v4/rules", json=rule).json()["data"]
    refused = client.delete(f"/api/v4/resources/{rid}").json()
    assert refused["code"] == 400
    client.delete(f"/api/v4/rules/{quote(created['id'], safe='')}")
    assert client.post(f"/api/v4/resources/{rid}").json() == {"code": 0}
    of_type = client.get("/api/v4/resource_types/web_hook/resources").json()["data"]
    assert res["id"] in [r["id"] for r in of_type]
    assert client.delete(f"/api/v4/resources/{rid}").json() == {"code": 0}
    assert client.get(f"/api/v4/resources/{rid}").json()["code"] == 404
    assert client.get(f"/api/v4/resource_status/{rid}").json()["code"] == 404
    missing = client.post("/api/v4/resources", json={"type": "web_hook", "config": {}})
    assert missing.json()["code"] == 400
    tested = client.post("/api/v4/resources", params={"test": "true"}, json=body).json()
    assert tested == {"code": 0} and len(world.rule_engine.resources) == 2


@pytest.mark.read_only
def test_unknown_names_in_atom_segments_are_routes_not_found(client: TestClient) -> None:
    assert client.get("/api/v4/actions/inspect").json()["data"]["app"] == "emqx_rule_engine"
    for path in (
        "/api/v4/actions/nope",
        "/api/v4/resource_types/nope",
        "/api/v4/resource_types/nope/resources",
    ):
        answer = client.get(path)
        assert answer.status_code == 404 and answer.text == "Not found.", path


@pytest.mark.read_only
def test_catalogues(client: TestClient) -> None:
    actions = client.get("/api/v4/actions").json()["data"]
    assert {"inspect", "republish", "data_to_webserver"} <= {a["name"] for a in actions}
    types = client.get("/api/v4/resource_types").json()["data"]
    assert "web_hook" in {t["name"] for t in types}
    events = client.get("/api/v4/rule_events").json()["data"]
    assert "$events/client_connected" in {e["event"] for e in events}
