"""One world, both ways: what /api/v5 writes the other APIs see, and the other way round."""

from __future__ import annotations

from urllib.parse import quote

from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World

V4_AUTH = ("admin", "public")


def _connected(world: World) -> list[str]:
    return [c.clientid for c in world.clients() if c.connected][:2]


def test_a_kick_through_v5_is_seen_by_every_api(api: TestClient, world: World) -> None:
    clientid = quote(_connected(world)[0], safe="")
    assert api.delete(f"/api/v5/clients/{clientid}").status_code == 204
    assert api.get(f"/api/v4/clients/{clientid}", auth=V4_AUTH).json()["data"] == []
    assert api.get(f"/api/v2/clients/{clientid}", auth=V4_AUTH).json()["result"]["objects"] == []
    assert api.get(f"/api/v1/mqtt/clients/{clientid}").status_code == 404


def test_a_kick_through_v4_is_seen_by_v5(api: TestClient, world: World) -> None:
    clientid = quote(_connected(world)[1], safe="")
    assert api.delete(f"/api/v4/clients/{clientid}", auth=V4_AUTH).json()["code"] == 0
    gone = api.get(f"/api/v5/clients/{clientid}")
    assert gone.status_code == 404 and gone.json()["code"] == "CLIENTID_NOT_FOUND"


def test_a_rule_made_through_v5_is_a_4x_rule(api: TestClient) -> None:
    body = {
        "name": "hot",
        "sql": 'SELECT * FROM "plant/+/temp" WHERE payload.t > 80',
        "actions": [
            {"function": "republish", "args": {"topic": "alerts/${topic}", "qos": 1}},
            "http:overheat_alerts",
        ],
        "description": "made through v5",
    }
    made = api.post("/api/v5/rules", json=body).json()
    v4 = api.get(f"/api/v4/rules/{made['id']}", auth=V4_AUTH).json()["data"]
    assert v4["rawsql"] == body["sql"] and v4["for"] == ["plant/+/temp"]
    republish = [a for a in v4["actions"] if a["name"] == "republish"]
    assert republish and republish[0]["params"]["target_topic"] == "alerts/${topic}"
    assert api.delete(f"/api/v4/rules/{made['id']}", auth=V4_AUTH).json()["code"] == 0
    assert api.get(f"/api/v5/rules/{made['id']}").status_code == 404


def test_a_4x_rule_is_listed_by_v5_with_the_actions_5x_has(api: TestClient) -> None:
    body = {
        "rawsql": 'SELECT * FROM "t/#"',
        "actions": [
            {"name": "inspect", "params": {}},
            {"name": "republish", "params": {"target_topic": "copy/${topic}", "target_qos": 0,
                                             "payload_tmpl": "${payload}"}},
        ],
        "description": "made through v4",
    }  # fmt: skip
    made = api.post("/api/v4/rules", json=body, auth=V4_AUTH).json()["data"]
    v5 = api.get(f"/api/v5/rules/{made['id']}").json()
    assert v5["sql"] == body["rawsql"] and v5["from"] == ["t/#"] and v5["enable"] is True
    assert {"function": "console"} in v5["actions"]
    [republish] = [
        a for a in v5["actions"] if isinstance(a, dict) and a.get("function") == "republish"
    ]
    assert republish["args"]["topic"] == "copy/${topic}" and republish["args"]["qos"] == 0
    assert made["id"] in {
        r["id"] for r in api.get("/api/v5/rules", params={"limit": 1000}).json()["data"]
    }


def test_a_v5_ban_and_a_v4_ban_are_one_table(api: TestClient) -> None:
    ban = {"as": "clientid", "who": "rogue-1", "reason": "test", "until": "2099-01-01T00:00:00Z"}
    assert api.post("/api/v5/banned", json=ban).status_code == 200
    v4 = api.get("/api/v4/banned", params={"_limit": 1000}, auth=V4_AUTH).json()["data"]
    assert any(b["who"] == "rogue-1" and b["as"] == "clientid" for b in v4)
    assert api.delete("/api/v4/banned/clientid/rogue-1", auth=V4_AUTH).json()["code"] == 0
    v5 = api.get("/api/v5/banned", params={"limit": 1000}).json()["data"]
    assert not any(b["who"] == "rogue-1" for b in v5)
