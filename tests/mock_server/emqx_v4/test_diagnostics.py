"""Topic metrics, traces, slow subscriptions, telemetry, LwM2M, SASL, Prometheus."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, timezone
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
    # register/2 does not look at the module's answer: a second registration is code 0 too
    assert client.post("/api/v4/topic-metrics", json={"topic": "a/b"}).json() == {"code": 0}
    assert client.post("/api/v4/topic-metrics", json={"topic": "a/#"}).json() == {
        "message": "invalid_topic_name"
    }
    assert client.post("/api/v4/topic-metrics", json={}).json() == {
        "message": "missing_required_params"
    }
    one = client.get(f"/api/v4/topic-metrics/{quote('a/b', safe='')}").json()["data"]
    assert one["messages.in.count"] == 0 and "messages.qos1.out.rate" in one
    listed = client.get("/api/v4/topic-metrics").json()["data"]
    assert listed == [{"topic": "a/b", "metrics": one}]
    assert client.delete(f"/api/v4/topic-metrics/{quote('a/b', safe='')}").json() == {"code": 0}
    assert client.get("/api/v4/topic-metrics/a%2Fb").json() == {"code": 0, "data": {}}
    assert client.delete("/api/v4/topic-metrics/never").json() == {"code": 0}
    assert client.delete("/api/v4/topic-metrics").json() == {"code": 0}


def test_trace_life_cycle(client: TestClient, world: World) -> None:
    assert client.get("/api/v4/trace").json() == {"message": "module_not_loaded"}
    load_module(world, "emqx_mod_trace")
    target = next(c for c in world.clients() if c.connected)
    now_s = world.now // 1000
    stamp = datetime.fromtimestamp(now_s + 600, timezone.utc).isoformat()
    body = {"name": "t1", "type": "clientid", "clientid": target.clientid, "end_at": stamp}
    assert client.post("/api/v4/trace", json=body).json() == {"code": 0}
    assert client.post("/api/v4/trace", json=body).json() == {
        "code": "ALREADY_EXISTED",
        "message": "t1Already Exists",
    }
    # a second trace of the same client from the same second: the first one's name
    again = client.post("/api/v4/trace", json={**body, "name": "t2"}).json()
    assert again == {"code": "DUPLICATE_CONDITION", "message": "t1Duplication Condition"}
    for bad, message in (
        ({"name": "bad name!", "type": "topic", "topic": "x"}, "Name should be "),
        ({"name": "n", "type": "topic"}, "required topic field"),
        ({"name": "n", "type": "topic", "topic": "a/#/b"}, "topic: a/#/b invalid by"),
        ({"type": "topic", "topic": "x"}, "name required"),
        ({"name": "n"}, "type=[topic,clientid,ip_address] required"),
    ):
        refused = client.post("/api/v4/trace", json=bad).json()
        assert refused["code"] == "INCORRECT_PARAMS" and refused["message"].startswith(message)
    detail = client.get("/api/v4/trace/t1/detail").json()["data"]
    sizes = {d["node"]: d["size"] for d in detail}
    assert sizes[target.node] > 0 and all(isinstance(d["mtime"], int) for d in detail)
    log = client.get("/api/v4/trace/t1/log", params={"node": target.node, "bytes": 50}).json()
    assert log["data"]["meta"] == {"position": 50, "bytes": 50}
    whole = client.get("/api/v4/trace/t1/log", params={"node": target.node, "bytes": 100000})
    items = whole.json()["data"]["items"]
    assert target.clientid in items and whole.json()["data"]["meta"]["bytes"] == 100000
    past = client.get("/api/v4/trace/t1/log", params={"node": target.node, "position": 10**6})
    assert past.json()["data"] == {"meta": {"position": len(items), "bytes": 1000}, "items": ""}
    assert client.get("/api/v4/trace/t1/log", params={"node": "x@y"}).json() == {
        "code": "NOT_FOUND",
        "message": "node not found",
    }
    archive = client.get("/api/v4/trace/t1/download")
    assert archive.headers["content-type"] == "application/octet-stream"
    names = zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
    assert len(names) == len(world.running_nodes()) and names[0].endswith(".log")
    assert client.put("/api/v4/trace/t1/stop").json() == {
        "code": 0,
        "data": {"enable": False, "name": "t1"},
    }
    listed = {t["name"]: t for t in client.get("/api/v4/trace").json()["data"]}
    assert listed["t1"]["status"] == "stopped" and listed["t1"]["clientid"] == target.clientid
    assert client.delete("/api/v4/trace/t1").json() == {"code": 0}
    assert client.delete("/api/v4/trace/t1").json() == {
        "code": "NOT_FOUND",
        "message": "t1 NOT FOUND",
    }
    assert client.get("/api/v4/trace/t1/detail").json() == {
        "code": "NOT_FOUND",
        "message": "not_found",
    }
    assert client.delete("/api/v4/trace").json() == {"code": 0}
    assert client.get("/api/v4/trace").json() == {"code": 0, "data": []}


def test_slow_subscriptions(client: TestClient, world: World) -> None:
    assert client.get("/api/v4/slow_subscriptions").json() == {"message": "module_not_loaded"}
    load_module(world, "emqx_mod_slow_subs")
    answer = client.get("/api/v4/slow_subscriptions", params={"_limit": 3}).json()
    assert set(answer) == {"code", "data"}  # unpaged: the query is ignored
    assert len(answer["data"]) == len(world.diagnostics.slow_subs)
    spans = [s["timespan"] for s in answer["data"]]
    assert spans == sorted(spans, reverse=True)
    assert all(world.client(s["clientid"]) for s in answer["data"])
    assert client.delete("/api/v4/slow_subscriptions").json() == {"code": 0}
    assert client.get("/api/v4/slow_subscriptions").json()["data"] == []


def test_clearing_slow_subscriptions_needs_no_module(client: TestClient, world: World) -> None:
    assert client.delete("/api/v4/slow_subscriptions").json() == {"code": 0}
    assert world.diagnostics.slow_subs == ()


def test_telemetry(client: TestClient, world: World) -> None:
    assert client.get("/api/v4/telemetry/status").json() == {"code": 0, "data": {"enabled": True}}
    assert client.put("/api/v4/telemetry/status", json={"enabled": False}).json() == {"code": 0}
    assert client.get("/api/v4/telemetry/status").json()["data"]["enabled"] is False
    assert client.put("/api/v4/telemetry/status", json={}).json() == {
        "message": "missing_required_params"
    }
    data = client.get("/api/v4/telemetry/data").json()["data"]
    first = world.running_nodes()[0]
    assert data["num_clients"] == world.stats(first.name)[first.name]["connections.max"]
    assert data["up_time"] == world.now - first.started_at  # milliseconds
    assert len(data["nodes_uuid"]) == len(world.running_nodes()) - 1
    assert data["uuid"] == data["uuid"].upper()
    assert "emqx_rule_engine" in data["active_plugins"]


def test_lwm2m_and_sasl_once_their_plugins_run(client: TestClient, world: World) -> None:
    activate(world, "emqx_lwm2m")
    activate(world, "emqx_sasl")
    here = world.running_nodes()[0].name
    channels = client.get("/api/v4/lwm2m_channels").json()["data"]
    assert [c["imei"] for c in channels] == [
        e.endpoint_name for e in world.gateways.lwm2m.values() if e.node == here
    ]
    device = next(iter(world.gateways.lwm2m.values()))
    on_node = client.get(f"/api/v4/nodes/{device.node}/lwm2m_channels").json()["data"]
    shown = next(c for c in on_node if c["imei"] == device.endpoint_name)
    assert set(shown) == {"imei", "lifetime", "ip_address", "port", "version", "objectList"}
    assert shown["objectList"]["/3/0"] == "Device"
    read = client.get(
        f"/api/v4/nodes/{device.node}/lookup_cmd/{device.endpoint_name}",
        params={"msgType": "read", "path": "/3/0"},
    ).json()["data"]
    assert read["code"] == "2.05" and read["msgType"] == device.endpoint_name
    assert {"path": "/3/0/0", "value": "Quectel"} in read["content"]
    assert client.get("/api/v4/lookup_cmd/unknown").json() == {"code": 0, "data": []}
    body = {
        "mechanism": "SCRAM-SHA-1",
        "username": "u9",
        "password": "p",
        "salt": "abc",
        "iteration_count": 4096,
    }
    assert client.post("/api/v4/sasl", json=body).json() == {"code": 0}
    assert client.post("/api/v4/sasl", json=body).json() == {"message": "already_existed"}
    assert "u9" in client.get("/api/v4/sasl").json()["data"][0]["SCRAM-SHA-1"]
    by_mechanism = client.get("/api/v4/sasl", params={"mechanism": "SCRAM-SHA-1"}).json()
    assert "u9" in by_mechanism["data"]["SCRAM-SHA-1"]
    record = client.get(
        "/api/v4/sasl", params={"mechanism": "SCRAM-SHA-1", "username": "u9"}
    ).json()["data"]
    assert record["salt"] == "abc" and "password" not in record and "mechanism" not in record
    assert client.put("/api/v4/sasl", json={**body, "username": "nobody"}).json() == {
        "message": "not_found"
    }
    assert client.put("/api/v4/sasl", json={**body, "iteration_count": "x"}).json() == {
        "message": "invalid_iteration_count"
    }
    assert client.delete(
        "/api/v4/sasl", params={"mechanism": "SCRAM-SHA-1", "username": "u9"}
    ).json() == {"code": 0}
    assert client.get(
        "/api/v4/sasl", params={"mechanism": "SCRAM-SHA-1", "username": "u9"}
    ).json() == {"message": "not_found"}
    assert client.post("/api/v4/sasl", json={**body, "mechanism": "PLAIN"}).json() == {
        "message": "unsupported_mechanism"
    }
    assert client.get("/api/v4/sasl", params={"mechanism": "PLAIN"}).json() == {
        "message": "Unsupported mechanism"
    }


def test_prometheus_is_open_but_gated(client: TestClient, world: World) -> None:
    anonymous = {"Authorization": ""}
    assert client.get("/api/v4/emqx_prometheus", headers=anonymous).status_code == 404
    activate(world, "emqx_prometheus")
    snapshot = client.get("/api/v4/emqx_prometheus", headers=anonymous).json()
    assert snapshot["code"] == 0
    data = snapshot["data"]
    assert set(data) == {"stats", "metrics", "packets", "messages", "delivery", "client", "session"}
    first = world.running_nodes()[0]
    gauges = world.stats(first.name)[first.name]
    assert data["stats"]["emqx_connections_count"] == gauges["connections.count"]
    assert data["messages"]["emqx_messages_publish"] == first.metrics.get("messages.publish", 0)
    text = client.get("/api/v4/emqx_prometheus", params={"type": "prometheus"}, headers=anonymous)
    assert text.headers["content-type"].startswith("text/plain")
    assert "emqx_connections_count" in text.text and "emqx_cluster_nodes_running" in text.text


def test_a_publish_moves_the_topic_metrics(client: TestClient, world: World) -> None:
    """emqx_mod_topic_metrics's message.publish / delivered / dropped hooks."""
    load_module(world, "emqx_mod_topic_metrics")
    client.post("/api/v4/topic-metrics", json={"topic": "m/1"})
    client.post("/api/v4/topic-metrics", json={"topic": "m/2"})
    subscriber = next(c for c in world.clients() if c.connected)
    client.post(
        "/api/v4/mqtt/subscribe", json={"clientid": subscriber.clientid, "topic": "m/1", "qos": 0}
    )
    client.post("/api/v4/mqtt/publish", json={"topic": "m/1", "payload": "x", "qos": 1})
    client.post("/api/v4/mqtt/publish", json={"topic": "m/2", "payload": "x", "qos": 2})
    one = client.get("/api/v4/topic-metrics/m%2F1").json()["data"]
    assert (one["messages.in.count"], one["messages.qos1.in.count"]) == (1, 1)
    assert (one["messages.out.count"], one["messages.qos0.out.count"]) == (1, 1)
    two = client.get("/api/v4/topic-metrics/m%2F2").json()["data"]
    assert (two["messages.qos2.in.count"], two["messages.dropped.count"]) == (1, 1)
