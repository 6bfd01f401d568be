"""Topic metrics, traces, slow subscriptions, telemetry, LwM2M, SASL, Prometheus."""

from __future__ import annotations

import io
import zipfile
from urllib.parse import quote

from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World


def load_module(world: World, name: str) -> None:
    for node in world.nodes:
        world.set_module_active(node.name, name, True)


def activate(world: World, plugin: str) -> None:
    for node in world.nodes:
        world.set_plugin_active(node.name, plugin, True)


def test_topic_metrics_need_their_module(client: TestClient, world: World) -> None:
    assert client.get("/api/v4/topic-metrics").json() == {"message": "module_not_loaded"}
    load_module(world, "emqx_mod_topic_metrics")
    assert client.post("/api/v4/topic-metrics", json={"topic": "a/b"}).json() == {"code": 0}
    assert client.post("/api/v4/topic-metrics", json={"topic": "a/b"}).json() == {
        "message": "already_existed"
    }
    assert client.post("/api/v4/topic-metrics", json={"topic": "a/#"}).json() == {
        "message": "bad_topic"
    }
    one = client.get(f"/api/v4/topic-metrics/{quote('a/b', safe='')}").json()["data"]
    assert one["topic"] == "a/b" and one["metrics"]["messages.in.count"] == 0
    assert "messages.qos1.out.rate" in one["metrics"]
    assert [m["topic"] for m in client.get("/api/v4/topic-metrics").json()["data"]] == ["a/b"]
    assert client.delete(f"/api/v4/topic-metrics/{quote('a/b', safe='')}").json() == {"code": 0}
    assert client.get("/api/v4/topic-metrics/a%2Fb").json() == {"message": "topic_not_found"}
    assert client.delete("/api/v4/topic-metrics").json() == {"code": 0}


def test_trace_life_cycle(client: TestClient, world: World) -> None:
    target = next(c for c in world.clients() if c.connected)
    body = {
        "name": "t1",
        "type": "clientid",
        "clientid": target.clientid,
        "start_at": world.now // 1000 - 60,
        "end_at": world.now // 1000 + 600,
    }
    created = client.post("/api/v4/trace", json=body).json()
    assert created["code"] == 0 and created["data"]["status"] == "running"
    assert client.post("/api/v4/trace", json=body).json()["code"] == "ALREADY_EXISTED"
    again = client.post("/api/v4/trace", json={**body, "name": "t2"}).json()
    assert again["code"] == "DUPLICATE_CONDITION"
    assert (
        client.post(
            "/api/v4/trace", json={"name": "bad name!", "type": "topic", "topic": "x"}
        ).json()["code"]
        == "INCORRECT_PARAMS"
    )
    detail = client.get("/api/v4/trace/t1/detail").json()["data"]
    sizes = {d["node"]: d["size"] for d in detail}
    assert sizes[target.node] > 0
    log = client.get("/api/v4/trace/t1/log", params={"node": target.node, "bytes": 50}).json()
    assert (
        target.clientid
        in client.get("/api/v4/trace/t1/log", params={"node": target.node, "bytes": 100000}).json()[
            "data"
        ]["items"]
    )
    assert log["data"]["meta"] == {"position": 50, "bytes": 50}
    archive = client.get("/api/v4/trace/t1/download")
    assert archive.headers["content-type"] == "application/octet-stream"
    names = zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
    assert len(names) == len(world.running_nodes())
    assert client.put("/api/v4/trace/t1/stop").json() == {"code": 0}
    listed = {t["name"]: t for t in client.get("/api/v4/trace").json()["data"]}
    assert listed["t1"]["status"] == "stopped"
    assert client.delete("/api/v4/trace/t1").json() == {"code": 0}
    assert client.delete("/api/v4/trace/t1").json()["code"] == "NOT_FOUND"
    assert client.get("/api/v4/trace/t1/detail").json()["code"] == "NOT_FOUND"
    assert client.delete("/api/v4/trace").json() == {"code": 0}
    assert client.get("/api/v4/trace").json()["data"] == []


def test_slow_subscriptions(client: TestClient, world: World) -> None:
    assert client.get("/api/v4/slow_subscriptions").json() == {"message": "module_not_loaded"}
    load_module(world, "emqx_mod_slow_subs")
    page = client.get("/api/v4/slow_subscriptions", params={"_limit": 3}).json()
    assert page["meta"] == {"page": 1, "limit": 3, "count": len(world.diagnostics.slow_subs)}
    spans = [s["timespan"] for s in page["data"]]
    assert spans == sorted(spans, reverse=True)
    assert all(world.client(s["clientid"]) for s in page["data"])
    assert client.delete("/api/v4/slow_subscriptions").json() == {"code": 0}
    assert client.get("/api/v4/slow_subscriptions").json()["data"] == []


def test_telemetry(client: TestClient, world: World) -> None:
    assert client.get("/api/v4/telemetry/status").json() == {"code": 0, "data": {"enabled": True}}
    assert client.put("/api/v4/telemetry/status", json={"enabled": False}).json()["data"] == {
        "enabled": False
    }
    assert client.get("/api/v4/telemetry/status").json()["data"]["enabled"] is False
    data = client.get("/api/v4/telemetry/data").json()["data"]
    assert data["num_clients"] == world.client_count()
    assert "emqx_rule_engine" in data["active_plugins"]


def test_lwm2m_and_sasl_once_their_plugins_run(client: TestClient, world: World) -> None:
    activate(world, "emqx_lwm2m")
    activate(world, "emqx_sasl")
    channels = client.get("/api/v4/lwm2m_channels").json()["data"]
    assert channels and all(c["endpoint_name"].startswith("urn:imei:") for c in channels)
    ep = channels[0]
    on_node = client.get(f"/api/v4/nodes/{ep['node']}/lwm2m_channels").json()["data"]
    assert ep in on_node
    read = client.get(
        f"/api/v4/lookup_cmd/{ep['endpoint_name']}", params={"msgType": "read", "path": "/3/0"}
    ).json()["data"]
    assert read["code"] == "2.05" and {"path": "/3/0/0", "value": "Quectel"} in read["content"]
    assert client.get("/api/v4/lookup_cmd/unknown").json() == {"code": 0, "data": {}}
    body = {
        "mechanism": "SCRAM-SHA-1",
        "username": "u9",
        "password": "p",
        "salt": "abc",
        "iteration_count": 4096,
    }
    assert client.post("/api/v4/sasl", json=body).json() == {"code": 0}
    assert client.post("/api/v4/sasl", json=body).json() == {"message": "already_existed"}
    assert "u9" in client.get("/api/v4/sasl").json()["data"]
    record = client.get("/api/v4/sasl", params={"username": "u9"}).json()["data"]
    assert record["salt"] == "abc" and "password" not in record
    assert client.delete(
        "/api/v4/sasl", params={"mechanism": "SCRAM-SHA-1", "username": "u9"}
    ).json() == {"code": 0}
    assert client.get("/api/v4/sasl", params={"username": "u9"}).json()["data"] == {}
    assert client.post("/api/v4/sasl", json={**body, "mechanism": "PLAIN"}).json() == {
        "message": "Unsupported mechanism"
    }


def test_prometheus_is_open_but_gated(client: TestClient, world: World) -> None:
    anonymous = {"Authorization": ""}
    assert client.get("/api/v4/emqx_prometheus", headers=anonymous).status_code == 404
    activate(world, "emqx_prometheus")
    snapshot = client.get("/api/v4/emqx_prometheus", headers=anonymous).json()
    assert "code" not in snapshot and snapshot["stats"]["connections.count"] >= 0
    text = client.get("/api/v4/emqx_prometheus", params={"type": "prometheus"}, headers=anonymous)
    assert text.headers["content-type"].startswith("text/plain")
    assert "emqx_connections_count" in text.text
