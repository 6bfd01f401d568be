"""Rule engine as emqx_rule_engine_api 4.4.19 answers: rules, resources, catalogues, SQL test."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World

RULE = {
    "rawsql": 'select * from "t/a"',
    "actions": [{"name": "inspect", "params": {"a": 1}}],
    "description": "test-rule",
}
RULE_KEYS = {
    "id", "for", "rawsql", "actions", "on_action_failed", "metrics", "enabled", "created_at",
    "description",
}  # fmt: skip
METRIC_KEYS = {
    "node", "matched", "failed", "passed", "exception", "no_result", "speed", "speed_max",
    "speed_last5m",
}  # fmt: skip


def test_rule_crud_round_trip(client: TestClient, world: World) -> None:
    created = client.post("/api/v4/rules", json=RULE).json()
    assert created["code"] == 0
    rule = created["data"]
    assert set(rule) == RULE_KEYS and {k for m in rule["metrics"] for k in m} == METRIC_KEYS
    assert rule["id"].startswith("rule:") and rule["for"] == ["t/a"] and rule["enabled"] is True
    action = rule["actions"][0]
    assert set(action) == {"id", "name", "params", "metrics", "fallbacks"}
    assert action["id"].startswith("inspect_") and len(action["id"]) > len("inspect_") + 18
    rid = quote(rule["id"], safe="")
    assert client.get(f"/api/v4/rules/{rid}").json()["data"] == rule
    moved = client.put(f"/api/v4/rules/{rid}", json={"rawsql": 'select * from "t/b"'}).json()
    # update_raw_sql/2 recomputes `for`; created_at is kept
    assert moved["data"]["for"] == ["t/b"] and moved["data"]["created_at"] == rule["created_at"]
    off = client.put(f"/api/v4/rules/{rid}", json={"enabled": False}).json()["data"]
    assert off["enabled"] is False
    assert client.delete(f"/api/v4/rules/{rid}").json() == {"code": 0}
    assert client.get(f"/api/v4/rules/{rid}").json() == {"code": 404, "message": "Not Found"}
    assert client.delete(f"/api/v4/rules/{rid}").json() == {"code": 0}


def test_refusals_are_the_api_modules_words(client: TestClient) -> None:
    def post(body: dict[str, Any]) -> Any:
        return client.post("/api/v4/rules", json=body).json()

    assert post({**RULE, "id": ""}) == {
        "code": 400,
        "message": "Bad Arguments: {empty_string_not_allowed,id}",
    }
    assert post({"rawsql": 'select * from "t"', "actions": [{"name": "nope"}]}) == {
        "code": 400,
        "message": "Action nope Not Found",
    }
    needs_topic = {"rawsql": 'select * from "t"', "actions": [{"name": "republish"}]}
    assert post(needs_topic) == {
        "code": 400,
        "message": 'Bad Arguments: {required_field_missing,<<"target_qos">>}',  # key order
    }
    bad_method = {
        "rawsql": 'select * from "t"',
        "actions": [{"name": "data_to_webserver", "params": {"$resource": "r", "method": "X"}}],
    }
    assert post(bad_method)["message"] == (
        'Bad Arguments: {invalid_data_type,{enum,{<<"X">>,'
        '[<<"POST">>,<<"DELETE">>,<<"PUT">>,<<"GET">>]}}}'
    )
    assert post({"rawsql": "selec nothing", "actions": []})["code"] == 400
    assert client.put("/api/v4/rules/rule:nope", json={}).json() == {
        "code": 400,
        "message": "Rule rule:nope Not Found",
    }


def test_action_params_get_the_specs_defaults(client: TestClient) -> None:
    body = {
        "rawsql": 'select * from "t"',
        "actions": [{"name": "republish", "params": {"target_topic": "t2", "target_qos": 1}}],
    }
    params = client.post("/api/v4/rules", json=body).json()["data"]["actions"][0]["params"]
    assert params == {
        "target_topic": "t2",
        "target_qos": 1,
        "target_retain": False,
        "payload_tmpl": "${payload}",
    }


def test_a_rule_on_an_uninitialised_resource_is_created_disabled(client: TestClient) -> None:
    """emqx_rule_engine:do_create_rule/2 retries disabled on resource_not_initialized
    (the engine group's t_create_rule_with_resource)."""
    body = {
        "rawsql": 'select * from "t"',
        "actions": [{"name": "data_to_webserver", "params": {"$resource": "resource:none"}}],
    }
    assert client.post("/api/v4/rules", json=body).json()["data"]["enabled"] is False


def test_updating_actions_carries_the_counters_over(client: TestClient, world: World) -> None:
    """restore_action_metrics/2: the new action at each position starts from the old one's."""
    rule = next(r for r in world.rule_engine.rules.values() if r.enabled and r.actions)
    before = {n: m.taken for n, m in rule.actions[0].metrics.items()}
    rid = quote(rule.id, safe="")
    new = client.put(
        f"/api/v4/rules/{rid}", json={"actions": [{"name": "do_nothing", "params": {}}]}
    ).json()["data"]["actions"][0]
    assert new["name"] == "do_nothing"
    assert {m["node"]: m["taken"] for m in new["metrics"]} == before


def test_the_body_id_names_the_rule_updated(client: TestClient, world: World) -> None:
    """parse_rule_params(Params, #{id => Id}) lets the body's `id` override the path's."""
    first = client.post("/api/v4/rules", json=RULE).json()["data"]["id"]
    second = client.post("/api/v4/rules", json=RULE).json()["data"]["id"]
    answer = client.put(
        f"/api/v4/rules/{quote(first, safe='')}", json={"id": second, "description": "moved"}
    ).json()["data"]
    assert answer["id"] == second and answer["description"] == "moved"
    assert world.rule_engine.rule(first).description == "test-rule"


@pytest.mark.read_only
def test_list_is_paged_sorted_and_filterable(client: TestClient, world: World) -> None:
    rules = list(world.rule_engine.rules.values())
    body = client.get("/api/v4/rules", params={"_limit": 2}).json()
    assert body["meta"] == {"page": 1, "limit": 2, "count": len(rules), "hasnext": len(rules) > 2}
    newest_first = sorted(rules[:2], key=lambda r: r.created_at, reverse=True)
    assert [r["id"] for r in body["data"]] == [r.id for r in newest_first]
    disabled = client.get("/api/v4/rules", params={"enabled": "false"}).json()
    assert disabled["meta"]["count"] == -1
    assert {r["id"] for r in disabled["data"]} == {r.id for r in rules if not r.enabled}
    assert client.get("/api/v4/rules", params={"enabled": "maybe"}).json()["data"] == []
    assert client.get("/api/v4/rules", params={"for": "alerts/#"}).json()["data"] == []
    matching = client.get(
        "/api/v4/rules", params={"_match_for": "factory/+/line/+/temperature"}
    ).json()["data"]
    assert [r["for"] for r in matching] == [["factory/+/line/+/temperature"]]


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
    assert miss.json() == {"code": 404, "message": "SQL Not Match"}
    no_topic = {"rawsql": sql, "ctx": {"payload": '{"x": 9}'}, "test": True}
    assert client.post("/api/v4/rules", json=no_topic).json()["code"] == 404
    events = 'SELECT clientid, peername FROM "$events/client_connected"'
    event = client.post(
        "/api/v4/rules", params={"test": "true"}, json={"rawsql": events, "ctx": {}}
    )
    assert event.json() == {
        "code": 0,
        "data": {"clientid": "c_emqx", "peername": "192.168.0.10:56431"},
    }
    assert len(world.rule_engine.rules) == before


def test_reset_metrics_zeroes_the_counters(client: TestClient, world: World) -> None:
    rule = next(r for r in world.rule_engine.rules.values() if r.enabled)
    assert any(m.matched for m in rule.metrics.values())
    rid = quote(rule.id, safe="")
    assert client.put(f"/api/v4/rules/{rid}/reset_metrics").json() == {"code": 0}
    shown = client.get(f"/api/v4/rules/{rid}").json()["data"]
    assert {m["matched"] for m in shown["metrics"]} == {0}
    assert len(shown["metrics"]) == len(world.running_nodes())
    assert {m["taken"] for a in shown["actions"] for m in a["metrics"]} == {0}
    assert client.put("/api/v4/rules/rule:none/reset_metrics").json() == {"code": 0}


def test_resource_life_cycle_and_in_use_protection(client: TestClient, world: World) -> None:
    body = {"type": "web_hook", "config": {"url": "http://127.0.0.1:9910"}, "description": "r1"}
    res = client.post("/api/v4/resources", json=body).json()["data"]
    assert set(res) == {"id", "type", "config", "description"}
    assert res["config"]["connect_timeout"] == "5s" and res["config"]["pool_size"] == 8
    rid = quote(res["id"], safe="")
    shown = client.get(f"/api/v4/resources/{rid}").json()["data"]
    assert [s["node"] for s in shown["status"]] == [n.name for n in world.running_nodes()]
    assert all(
        isinstance(r["status"], bool) for r in client.get("/api/v4/resources").json()["data"]
    )
    assert client.get(f"/api/v4/resource_status/{rid}").json()["data"] == {"is_alive": True}
    rule = {
        "rawsql": 'select * from "t"',
        "actions": [{"name": "data_to_webserver", "params": {"$resource": res["id"]}}],
    }
    created = client.post("/api/v4/rules", json=rule).json()["data"]
    assert created["enabled"] is True
    refused = client.delete(f"/api/v4/resources/{rid}").json()
    assert refused == {
        "code": 400,
        "message": f'Found rules [<<"{created["id"]}">>] depends on this resource, '
        "disable them first",
    }
    assert client.put(f"/api/v4/resources/{rid}", json={"description": "x"}).json() == refused
    client.put(f"/api/v4/rules/{quote(created['id'], safe='')}", json={"enabled": False})
    assert client.put(f"/api/v4/resources/{rid}", json={"description": "x"}).json() == {"code": 0}
    assert client.post(f"/api/v4/resources/{rid}").json() == {"code": 0}
    of_type = client.get("/api/v4/resource_types/web_hook/resources").json()["data"]
    assert res["id"] in [r["id"] for r in of_type] and "status" not in of_type[0]
    assert client.delete(f"/api/v4/resources/{rid}").json() == {"code": 0}  # a disabled user
    assert client.get(f"/api/v4/resources/{rid}").json() == {"code": 404, "message": "Not Found"}
    assert client.get(f"/api/v4/resource_status/{rid}").json() == {
        "code": 400,
        "message": f"Resource {res['id']} Not Found",
    }
    assert client.post(f"/api/v4/resources/{rid}").json()["code"] == 400
    assert client.put(f"/api/v4/resources/{rid}", json={}).json() == {
        "code": 400,
        "message": f"Resource not found:{res['id']}",
    }
    missing = client.post("/api/v4/resources", json={"type": "web_hook", "config": {}})
    assert missing.json() == {
        "code": 400,
        "message": 'Bad Arguments: {required_field_missing,<<"url">>}',
    }
    unknown = client.post("/api/v4/resources", json={"type": "mysql"}).json()
    assert unknown == {
        "code": 400,
        "message": 'Bad Arguments: {resource_type_not_found,<<"mysql">>}',
    }
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
def test_catalogues_are_ce_4_4_19s(client: TestClient) -> None:
    actions = client.get("/api/v4/actions").json()["data"]
    assert [a["name"] for a in actions] == [  # sort_by_title/2: by English title
        "data_to_mqtt_broker",
        "data_to_webserver",
        "do_nothing",
        "inspect",
        "republish",
    ]
    assert {a["category"] for a in actions} == {"data_forward", "debug"}
    types = client.get("/api/v4/resource_types").json()["data"]
    assert [t["name"] for t in types] == ["bridge_rpc", "bridge_mqtt", "web_hook"]
    events = client.get("/api/v4/rule_events").json()["data"]
    assert [e["event"] for e in events][:2] == [
        "$events/message_publish",
        "$events/message_delivered",
    ]
    connected = next(e for e in events if e["event"] == "$events/client_connected")
    assert connected["test_columns"] == {
        "clientid": "c_emqx",
        "username": "u_emqx",
        "peername": "127.0.0.1:52918",
    }
    assert "conn_props" in connected["columns"]


def _metrics_on(rule: dict[str, Any], node: str) -> dict[str, Any]:
    return next(m for m in rule["metrics"] if m["node"] == node)


def test_a_publish_moves_the_counters_of_the_rules_listening(
    client: TestClient, world: World
) -> None:
    """emqx_rule_runtime:apply_rule/2 (what t_reset_metrics counts over MQTT)."""
    body = {
        "rawsql": 'SELECT payload.v AS v FROM "probe/#" WHERE payload.v > 5',
        "actions": [{"name": "inspect", "params": {}}],
    }
    rid = quote(client.post("/api/v4/rules", json=body).json()["data"]["id"], safe="")
    node = world.running_nodes()[0].name
    for value in (9, 9, 1):
        client.post(
            "/api/v4/mqtt/publish", json={"topic": "probe/1", "payload": f'{{"v":{value}}}'}
        )
    client.post("/api/v4/mqtt/publish", json={"topic": "elsewhere", "payload": "{}"})
    rule = client.get(f"/api/v4/rules/{rid}").json()["data"]
    counts = _metrics_on(rule, node)
    assert (counts["matched"], counts["passed"], counts["no_result"], counts["failed"]) == (
        3,
        2,
        1,
        1,
    )
    action = _metrics_on(rule["actions"][0], node)
    assert (action["taken"], action["success"], action["failed"]) == (2, 2, 0)
    client.put(f"/api/v4/rules/{rid}/reset_metrics")
    rule = client.get(f"/api/v4/rules/{rid}").json()["data"]
    assert _metrics_on(rule, node)["matched"] == 0
    assert _metrics_on(rule["actions"][0], node)["taken"] == 0


def test_republish_publishes_again_and_counts_as_received(client: TestClient, world: World) -> None:
    """emqx_rule_actions:increase_and_publish/2: a publish plus emqx_metrics:inc_msg/1
    (t_republish_action's messages.received / messages.qosN.received)."""
    subscriber = next(c for c in world.clients() if c.connected)
    client.post("/api/v4/mqtt/subscribe", json={"clientid": subscriber.clientid, "topic": "t2"})
    body = {
        "rawsql": 'select * from "t1"',
        "actions": [
            {
                "name": "republish",
                "params": {"target_topic": "t2", "target_qos": 1, "payload_tmpl": "${payload}"},
            }
        ],
    }
    client.post("/api/v4/rules", json=body)
    node = world.running_nodes()[0]
    before = dict(node.metrics)
    sub_node = world.node(subscriber.node)
    sent_before = sub_node.metrics.get("messages.sent", 0)
    client.post("/api/v4/mqtt/publish", json={"topic": "t1", "payload": "hi", "qos": 0})
    after = node.metrics
    # one for the API publish (emqx_mgmt:publish/1, at QoS 0), one for the republish (QoS 1)
    assert after["messages.received"] - before.get("messages.received", 0) == 2
    assert after["messages.qos0.received"] - before.get("messages.qos0.received", 0) == 1
    assert after["messages.qos1.received"] - before.get("messages.qos1.received", 0) == 1
    assert after["messages.publish"] - before.get("messages.publish", 0) == 2
    assert sub_node.metrics["messages.sent"] - sent_before == 1


def test_an_action_on_a_dead_resource_fails_and_runs_its_fallbacks(
    client: TestClient, world: World
) -> None:
    bridge = next(r for r in world.rule_engine.resources.values() if r.type == "bridge_mqtt")
    body = {
        "rawsql": 'select * from "fb/#"',
        "actions": [
            {
                "name": "data_to_mqtt_broker",
                "params": {"$resource": bridge.id},
                "fallbacks": [{"name": "do_nothing", "params": {}}],
            }
        ],
    }
    rule = client.post("/api/v4/rules", json=body).json()["data"]
    client.post("/api/v4/mqtt/publish", json={"topic": "fb/1", "payload": "x"})
    node = world.running_nodes()[0].name
    shown = client.get(f"/api/v4/rules/{quote(rule['id'], safe='')}").json()["data"]
    action = _metrics_on(shown["actions"][0], node)
    fallback = _metrics_on(shown["actions"][0]["fallbacks"][0], node)
    if bridge.alive:
        assert (action["success"], fallback["taken"]) == (1, 0)
    else:
        assert (action["failed"], fallback["success"]) == (1, 1)
