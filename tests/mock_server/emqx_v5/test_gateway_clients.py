"""`/api/v5/gateways/{name}/clients…` and the LwM2M commands: the lwm2m gateway's clients are the
devices EMQX 4.4 lists at `/lwm2m_channels` — one world, seen both ways."""

from __future__ import annotations

from urllib.parse import quote

from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World

V4_AUTH = ("admin", "public")


def _run_lwm2m_plugin(world: World) -> None:
    for node in world.nodes:
        world.set_plugin_active(node.name, "emqx_lwm2m", True)


def _device(world: World) -> tuple[str, str]:
    device = next(iter(world.gateways.lwm2m.values()))
    return device.endpoint_name, quote(device.endpoint_name, safe="")


def test_the_lwm2m_clients_are_the_worlds_devices(api: TestClient, world: World) -> None:
    page = api.get("/api/v5/gateways/lwm2m/clients").json()
    assert page["meta"]["count"] == len(world.gateways.lwm2m)
    assert {r["endpoint_name"] for r in page["data"]} == set(world.gateways.lwm2m)
    row = page["data"][0]
    device = world.gateways.lwm2m[row["clientid"]]
    assert row["lifetime"] == device.lifetime and row["proto_name"] == "LwM2M"
    assert row["subscriptions_max"] == "infinity" and row["node"] == device.node
    one = api.get("/api/v5/gateways/lwm2m/clients", params={"limit": 1})
    assert len(one.json()["data"]) == 1
    assert one.json()["meta"]["hasnext"] is (len(world.gateways.lwm2m) > 1)


def test_filters_and_their_errors(api: TestClient, world: World) -> None:
    name, _ = _device(world)
    exact = api.get("/api/v5/gateways/lwm2m/clients", params={"endpoint_name": name}).json()
    assert [r["clientid"] for r in exact["data"]] == [name]
    fuzzy = api.get("/api/v5/gateways/lwm2m/clients", params={"like_clientid": name[-6:]}).json()
    assert name in {r["clientid"] for r in fuzzy["data"]} and "count" not in fuzzy["meta"]
    longest = max(d.lifetime for d in world.gateways.lwm2m.values())
    over = api.get("/api/v5/gateways/lwm2m/clients", params={"gte_lifetime": longest + 1}).json()
    assert over["data"] == [] and over["meta"]["count"] == 0
    bad = api.get("/api/v5/gateways/lwm2m/clients", params={"gte_lifetime": "soon"})
    assert bad.status_code == 400 and bad.json()["code"] == "INVALID_PARAMETER"
    down = api.get("/api/v5/gateways/lwm2m/clients", params={"node": "emqx@nowhere"})
    assert down.status_code == 500 and down.json()["code"] == "NODE_DOWN"
    unloaded = api.get("/api/v5/gateways/stomp/clients")
    assert unloaded.status_code == 404 and unloaded.json()["message"] == "Gateway not loaded"


def test_a_kick_through_v5_is_gone_from_v4(api: TestClient, world: World) -> None:
    _run_lwm2m_plugin(world)
    name, quoted = _device(world)
    assert api.get(f"/api/v5/gateways/lwm2m/clients/{quoted}").json()["clientid"] == name
    assert api.delete(f"/api/v5/gateways/lwm2m/clients/{quoted}").status_code == 204
    missing = api.get(f"/api/v5/gateways/lwm2m/clients/{quoted}")
    assert missing.status_code == 404 and missing.json()["code"] == "RESOURCE_NOT_FOUND"
    node = world.running_nodes()[0].name
    seen = api.get(f"/api/v4/nodes/{node}/lwm2m_channels", auth=V4_AUTH).json()["data"]
    assert name not in {c["imei"] for c in seen}
    assert api.delete(f"/api/v5/gateways/lwm2m/clients/{quoted}").status_code == 404


def test_subscriptions_are_mounted(api: TestClient, world: World) -> None:
    name, quoted = _device(world)
    base = f"/api/v5/gateways/lwm2m/clients/{quoted}/subscriptions"
    before = api.get(base).json()
    assert [s["topic"] for s in before] == list(world.gateways.lwm2m[name].subscriptions)
    made = api.post(base, json={"topic": "cmd/extra", "qos": 1})
    assert made.status_code == 201
    assert made.json() == {"topic": f"lwm2m/{name}/cmd/extra", "qos": 1, "rap": 0, "nl": 0, "rh": 1}
    assert api.post(base, json={"qos": 1}).json()["message"] == "Miss topic property"
    assert api.delete(f"{base}/{quote('cmd/extra', safe='')}").status_code == 204
    assert api.delete(f"{base}/{quote('cmd/extra', safe='')}").status_code == 404
    assert api.get(base).json() == before


def test_commands_sent_through_v5_are_looked_up_through_v4(api: TestClient, world: World) -> None:
    _run_lwm2m_plugin(world)
    name, quoted = _device(world)
    node = world.gateways.lwm2m[name].node
    base = f"/api/v5/gateways/lwm2m/clients/{quoted}"
    before = api.get(base + "/lookup", params={"path": "/3/0/1", "action": "write"}).json()
    assert before["code"] == "6.01" and before["codeMsg"] == "reply_not_received"
    sent = api.post(base + "/write", params={"path": "/3/0/1", "type": "String", "value": "NEW1"})
    assert sent.status_code == 204
    assert world.gateways.lwm2m[name].resources["/3/0/1"] == "NEW1"
    assert api.post(base + "/read", params={"path": "/3/0"}).status_code == 204
    read = api.get(base + "/lookup", params={"path": "/3/0", "action": "read"}).json()
    assert {"path": "/3/0/1", "value": "NEW1"} in read["content"] and read["code"] == "2.05"
    v4 = api.get(
        f"/api/v4/nodes/{node}/lookup_cmd/{quoted}",
        params={"msgType": "read", "path": "/3/0"},
        auth=V4_AUTH,
    ).json()["data"]
    assert {"path": "/3/0/1", "value": "NEW1"} in v4["content"]
    api.post(base + "/observe", params={"path": "/99/0", "enable": "true"})
    unknown = api.get(base + "/lookup", params={"path": "/99/0", "action": "observe"}).json()
    assert unknown["code"] == "4.04"
    gone = api.post("/api/v5/gateways/lwm2m/clients/nobody/read", params={"path": "/3/0"})
    assert gone.status_code == 404 and gone.json() == {"code": "CLIENT_NOT_FOUND"}


def test_stopping_the_gateway_ends_its_connections(api: TestClient, world: World) -> None:
    assert world.gateways.lwm2m
    assert api.put("/api/v5/gateways/lwm2m/enable/false").status_code == 204
    assert api.get("/api/v5/gateways/lwm2m/clients").json()["data"] == []
    assert not world.gateways.lwm2m
