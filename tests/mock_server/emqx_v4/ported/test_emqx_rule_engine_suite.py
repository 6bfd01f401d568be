"""apps/emqx_rule_engine/test/emqx_rule_engine_SUITE.erl (v4.4.19), the `api` group.

Ported (8): t_crud_rule_api, t_rule_api_unicode_ids, t_list_rule_api, t_list_actions_api,
t_show_action_api, t_crud_resources_api, t_list_resource_types_api, t_show_resource_type_api.

Only t_rule_api_unicode_ids goes over HTTP in the suite; the others call the handler functions
of `emqx_rule_engine_api` with the parameter list minirest would build. They are ported as the
HTTP requests that produce those parameter lists (a JSON body for `[{<<"k">>, V}]`, query
parameters for the lists), with the same assertions on the returned maps' JSON. Where the
suite passes `{<<"enable_paging">>, true}` (the atom), no query parameter can carry it — a
query value is a binary, which the handler does not accept — and the default (`true`) is
what the request gets.

The other groups call the rule engine, registry, CLI or MQTT directly (no HTTP): engine,
actions, cli, funcs, registry, runtime, rule_metrics, events, bugs, multi_actions.

The suite runs on a fresh registry with the `built_in` debug resource type registered
(`init_per_testcase/2`, `emqx_rule_test_lib:make_simple_debug_resource_type/0`); the world's
seeded rules are removed first and the same type registered through the world.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.fixtures.rule_catalog import ResourceType

from .broker import decode, ok

BUILT_IN = ResourceType(
    "built_in",
    "emqx_rule_engine",
    {"en": "Built-In Resource Type (debug)"},
    {"en": "The built in resource type for debug purpose"},
    {},
)


@pytest.fixture
def api(client: TestClient, world: World) -> TestClient:
    for rule_id in list(world.rule_engine.rules):
        world.rule_engine.delete_rule(rule_id)
    world.rule_engine.register_resource_type(BUILT_IN)
    return client


def _cow_urlencode(text: str) -> str:
    """`cow_uri:urlencode/1` (cowlib 2.11): RFC 3986 unreserved and sub-delims stay."""
    keep = set("!$&'()*+,-.:;=@_~")
    out = []
    for byte in text.encode():
        char = chr(byte)
        out.append(char if char.isascii() and (char.isalnum() or char in keep) else f"%{byte:02X}")
    return "".join(out)


def _data(response: httpx.Response) -> Any:
    body = response.json()
    assert body["code"] == 0, body
    return body["data"]


def test_t_crud_rule_api(api: TestClient) -> None:
    """emqx_rule_engine_SUITE.erl, t_crud_rule_api."""
    create = {
        "name": "debug-rule",
        "rawsql": 'select * from "t/a"',
        "actions": [{"name": "inspect", "params": {"arg1": 1}}],
        "description": "debug rule",
    }
    rule = _data(api.post("/api/v4/rules", json=create))
    rule_id = rule["id"]
    again = api.post("/api/v4/rules", json={**create, "id": rule_id}).json()
    assert again == {"code": 400, "message": "Already Exists"}

    rules = _data(api.get("/api/v4/rules"))
    assert len(rules) > 0

    path = f"/api/v4/rules/{_cow_urlencode(rule_id)}"
    assert _data(api.get(path)) == rule

    rule2 = _data(api.put(path, json={"rawsql": 'select * from "t/b"'}))
    rule3 = _data(api.get(path))
    assert rule3 == rule2
    assert rule3["rawsql"] == 'select * from "t/b"'

    republish = {
        "name": "republish",
        "params": {
            "arg1": 1,
            "target_topic": "t2",
            "target_qos": 0,
            "payload_tmpl": "${payload}",
        },
    }
    rule4 = _data(api.put(path, json={"actions": [republish]}))
    rule5 = _data(api.get(path))
    assert rule5 == rule4
    assert [a["name"] for a in rule5["actions"]] == ["republish"]

    assert api.delete(path).json()["code"] == 0

    not_found = api.get(path).json()
    assert not_found["code"] == 404 and "message" in not_found


def test_t_rule_api_unicode_ids(api: TestClient) -> None:
    """emqx_rule_engine_SUITE.erl, t_rule_api_unicode_ids: every character 0..1000 but `.`,
    and `%2e`, as a rule id through create, update, show and delete (over HTTP, as the suite
    does, on the dashboard listener with admin:public)."""

    def udata(description: str) -> dict[str, object]:
        return {
            "name": "debug-rule",
            "rawsql": 'select * from "t/a"',
            "actions": [{"name": "do_nothing", "params": []}],
            "description": description,
        }

    cdes, udes = "Creating rules description", "Updating rules description"
    api.__enter__()  # one event-loop portal for the 4004 requests, not one each
    ids = [chr(c) for c in range(0, 1001) if c != 46] + ["%2e"]
    for rule_id in ids:
        path = f"/api/v4/rules/{_cow_urlencode(rule_id)}"
        created = decode(ok(api.post("/api/v4/rules", json={**udata(cdes), "id": rule_id})))
        updated = decode(ok(api.put(path, json=udata(udes))))
        shown = decode(ok(api.get(path)))
        deleted = decode(ok(api.delete(path)))
        assert created["code"] == 0 and created["data"]["description"] == cdes, rule_id
        assert updated["code"] == 0, rule_id
        assert shown["code"] == 0 and shown["data"]["description"] == udes, rule_id
        assert deleted["code"] == 0, rule_id


def test_t_list_rule_api(api: TestClient) -> None:
    """emqx_rule_engine_SUITE.erl, t_list_rule_api."""
    add_ids = []
    for seq in range(1, 21):
        body = {
            "name": f"debug-rule-{seq}",
            "rawsql": f'select * from "t/a/{seq}"',
            "actions": [{"name": "inspect", "params": {"arg1": 1}}],
            "description": f"debug rule desc {seq}",
        }
        add_ids.append(_data(api.post("/api/v4/rules", json=body))["id"])

    def listed(**params: object) -> list[dict[str, object]]:
        return _data(api.get("/api/v4/rules", params=params))

    rules11 = listed(_limit="10", _page="1")
    assert len(rules11) == 10
    rules12 = listed(_limit="10", _page="2")
    assert len(rules12) == 10
    rules1 = rules11 + rules12

    rule_id = add_ids[0]
    path = f"/api/v4/rules/{_cow_urlencode(rule_id)}"
    assert api.put(path, json={"enabled": False}).json()["code"] == 0
    assert all(r["id"] != rule_id for r in listed(enabled="true"))

    assert all(r["id"] == rule_id for r in listed(**{"for": rule_id}))

    assert len(listed(_like_id="rule:")) == len(rules1)

    rules5 = listed(_like_for="t/a/")
    assert len(rules5) == len(rules1)
    assert api.put(path, json={"rawsql": 'select * from "t/b/c"'}).json()["code"] == 0
    rules6 = listed(_like_for="t/a/")
    assert all(r["id"] != rule_id for r in rules6)
    assert len(rules1) - len(rules6) == 1

    assert len(listed(_match_for="t/+/+")) == len(rules1)
    assert api.put(path, json={"rawsql": 'select * from "t1/b"'}).json()["code"] == 0
    rules8 = listed(_match_for="t/+/+")
    assert all(r["id"] != rule_id for r in rules8)
    assert len(rules1) - len(rules8) == 1

    assert len(listed(_like_description="rule")) == len(rules1)
    assert api.put(path, json={"description": "not me"}).json()["code"] == 0
    rules10 = listed(_like_description="rule")
    assert all(r["id"] != rule_id for r in rules10)
    assert len(rules1) - len(rules10) == 1

    for added in add_ids:
        assert api.delete(f"/api/v4/rules/{_cow_urlencode(added)}").json()["code"] == 0


def test_t_list_actions_api(api: TestClient) -> None:
    """emqx_rule_engine_SUITE.erl, t_list_actions_api."""
    assert len(_data(api.get("/api/v4/actions"))) > 0


def test_t_show_action_api(api: TestClient) -> None:
    """emqx_rule_engine_SUITE.erl, t_show_action_api."""
    assert _data(api.get("/api/v4/actions/inspect"))["name"] == "inspect"


def test_t_crud_resources_api(api: TestClient) -> None:
    """emqx_rule_engine_SUITE.erl, t_crud_resources_api."""
    params = {
        "name": "Simple Resource",
        "type": "built_in",
        "config": {"a": 1},
        "description": "Simple Resource",
    }
    resources1 = _data(api.post("/api/v4/resources", json=params))
    res_id = resources1["id"]
    again = api.post("/api/v4/resources", json={"id": res_id, **params}).json()
    assert again == {"code": 400, "message": "Already Exists"}
    assert len(_data(api.get("/api/v4/resources"))) > 0
    path = f"/api/v4/resources/{_cow_urlencode(res_id)}"
    assert _data(api.get(path))["id"] == res_id

    def update(body: object) -> dict[str, object]:
        if body is None:  # request_api with no body parameters sends none
            assert api.put(path).json()["code"] == 0
        else:
            assert api.put(path, json=body).json()["code"] == 0
        shown = _data(api.get(path))
        assert shown["id"] == res_id
        return shown

    r3 = update({"config": {"a": 2}, "description": "2"})
    assert r3["config"] == {"a": 2} and r3["description"] == "2"
    r4 = update({"config": {"a": 3}})
    assert r4["config"] == {"a": 3} and r4["description"] == "2"
    # Only config
    r5 = update({"config": {"a": 1, "b": 2, "c": 3}})
    assert r5["config"] == {"a": 1, "b": 2, "c": 3} and r5["description"] == "2"
    # Only description
    r6 = update({"description": "new5"})
    assert r6["config"] == {"a": 1, "b": 2, "c": 3} and r6["description"] == "new5"
    # None
    r7 = update(None)
    assert r7["config"] == {"a": 1, "b": 2, "c": 3} and r7["description"] == "new5"

    assert api.delete(path).json()["code"] == 0
    assert api.get(path).json()["code"] == 404


def test_t_list_resource_types_api(api: TestClient) -> None:
    """emqx_rule_engine_SUITE.erl, t_list_resource_types_api."""
    assert len(_data(api.get("/api/v4/resource_types"))) > 0


def test_t_show_resource_type_api(api: TestClient) -> None:
    """emqx_rule_engine_SUITE.erl, t_show_resource_type_api."""
    shown = _data(api.get("/api/v4/resource_types/built_in"))
    assert shown["name"] == "built_in"
