"""Traces, slow subscriptions, telemetry and error codes through /api/v5 — the world's
diagnostics that 4.x's API shows too."""

from __future__ import annotations

import io
import zipfile

from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World

V4 = ("admin", "public")


def test_a_trace_made_through_v5_is_listed_by_v4(api: TestClient, world: World) -> None:
    client = next(iter(world.clients()))
    body = {"name": "v5trace", "type": "clientid", "clientid": client.clientid}
    made = api.post("/api/v5/trace", json=body)
    assert made.status_code == 200
    shown = made.json()
    assert shown["end_at"] == shown["start_at"]  # format_trace/1 formats Start twice
    assert set(shown["log_size"]) == set(world.cluster.running_names())
    assert api.post("/api/v5/trace", json=body).json()["code"] == "ALREADY_EXISTS"
    dup = api.post("/api/v5/trace", json={**body, "name": "other"})
    assert (dup.status_code, dup.json()["code"]) == (409, "DUPLICATE_CONDITION")
    no_filter = api.post("/api/v5/trace", json={"name": "x", "type": "topic"})
    assert (no_filter.status_code, no_filter.json()["code"]) == (400, "INVALID_PARAMS")
    assert api.post("/api/v5/trace", json={"name": "9x", "type": "topic"}).status_code == 400

    for node in world.nodes:
        world.set_module_active(node.name, "emqx_mod_trace", True)
    v4 = api.get("/api/v4/trace", auth=V4).json()["data"]
    assert "v5trace" in [t["name"] for t in v4]

    detail = api.get("/api/v5/trace/v5trace/log_detail").json()
    assert {d["node"] for d in detail} == set(world.cluster.running_names())
    log = api.get("/api/v5/trace/v5trace/log", params={"node": client.node}).json()
    assert client.clientid in log["items"]
    assert api.get("/api/v5/trace/v5trace/log", params={"node": "x@y"}).status_code == 404
    zipped = api.get("/api/v5/trace/v5trace/download")
    assert zipped.headers["content-type"] == "application/x-zip"
    names = zipfile.ZipFile(io.BytesIO(zipped.content)).namelist()
    assert names and all(n.endswith(".log") for n in names)

    assert api.put("/api/v5/trace/v5trace/stop").json() == {"enable": False, "name": "v5trace"}
    listed = {t["name"]: t for t in api.get("/api/v5/trace").json()}
    assert listed["v5trace"]["status"] == "stopped"
    assert api.delete("/api/v5/trace/v5trace").status_code == 204
    assert api.delete("/api/v5/trace/v5trace").json()["code"] == "NOT_FOUND"
    assert api.delete("/api/v5/trace").status_code == 204
    assert api.get("/api/v5/trace").json() == []
    assert api.get("/api/v4/trace", auth=V4).json()["data"] == []


def test_slow_subscriptions_share_the_module_switch(api: TestClient, world: World) -> None:
    rows = api.get("/api/v5/slow_subscriptions").json()["data"]
    assert [r["timespan"] for r in rows] == sorted((r["timespan"] for r in rows), reverse=True)
    assert len(rows) == len(world.diagnostics.slow_subs)
    settings = api.put("/api/v5/slow_subscriptions/settings", json={"enable": True}).json()
    assert settings["enable"] is True and settings["top_k_num"] == 10
    v4 = api.get("/api/v4/slow_subscriptions", auth=V4).json()
    assert len(v4["data"]) == len(rows)  # 4.x lists them once its module runs
    assert api.delete("/api/v5/slow_subscriptions").status_code == 204
    assert api.get("/api/v5/slow_subscriptions").json() == {"data": []}


def test_telemetry_switch_is_4x_switch(api: TestClient, world: World) -> None:
    assert api.get("/api/v5/telemetry/status").json() == {"enable": True}
    assert api.get("/api/v5/telemetry/data").json()["emqx_version"] == "5.8.1"
    same = api.put("/api/v5/telemetry/status", json={"enable": True})
    assert (same.status_code, same.json()["code"]) == (400, "BAD_REQUEST")
    assert api.put("/api/v5/telemetry/status", json={"enable": False}).json() == {"enable": False}
    v4 = api.get("/api/v4/telemetry/status", auth=V4).json()
    assert v4["data"] == {"enabled": False}
    gone = api.get("/api/v5/telemetry/data")
    assert (gone.status_code, gone.json()["code"]) == (404, "NOT_FOUND")


def test_error_codes_are_open(app: TestClient) -> None:
    codes = app.get("/api/v5/error_codes").json()
    assert {"code": "NOT_FOUND", "description": "Resource was not found or does not exist"} in codes
    assert app.get("/api/v5/error_codes/BAD_RPC").json()["code"] == "BAD_RPC"
    assert app.get("/api/v5/error_codes/NOPE").status_code == 400
