"""lib-ce/emqx_modules/test/emqx_mod_trace_api_SUITE.erl (v4.4.19): t_http_test and
t_stream_log (both cases; both over HTTP on the dashboard listener, admin:public).

The suite starts `emqx_trace` itself (`load/0`); the world loads `emqx_mod_trace`, which is
what that server's presence means to the API (`is_started/0`). It runs on one node: so does
the world here.
"""

from __future__ import annotations

import time

from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World

from .broker import load_module


def _rfc3339(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(seconds))


def test_t_http_test(single_client: TestClient, single_node: World) -> None:
    """emqx_mod_trace_api_SUITE.erl, t_http_test."""
    api, world = single_client, single_node
    load_module(world, "emqx_mod_trace")
    world.diagnostics.clear_traces()  # emqx_trace:clear()
    assert api.get("/api/v4/trace").json() == {"code": 0, "data": []}
    assert api.post("/api/v4/trace", json={}).json() == {
        "message": "name required",
        "code": "INCORRECT_PARAMS",
    }
    trace = {"name": "test-name", "type": "topic", "topic": "/x/y/z"}
    assert api.post("/api/v4/trace", json=trace).json() == {"code": 0}
    listed = api.get("/api/v4/trace").json()
    assert listed["code"] == 0 and [t["name"] for t in listed["data"]] == ["test-name"]

    update = api.put("/api/v4/trace/test-name/stop", json={}).json()
    assert update == {"code": 0, "data": {"enable": False, "name": "test-name"}}

    listed1 = api.get("/api/v4/trace").json()
    assert listed1["code"] == 0 and len(listed1["data"]) == 1
    data1 = listed1["data"][0]
    node = world.running_nodes()[0].name
    assert data1["status"] == "stopped" and data1["name"] == "test-name"
    assert node in data1["log_size"] and "start_at" in data1 and "end_at" in data1
    assert data1["type"] == "topic" and data1["topic"] == "/x/y/z"

    assert api.delete("/api/v4/trace/test-name").json() == {"code": 0}
    assert api.delete("/api/v4/trace/test-name").json() == {
        "code": "NOT_FOUND",
        "message": "test-name NOT FOUND",
    }
    assert api.get("/api/v4/trace").json() == {"code": 0, "data": []}

    assert api.post("/api/v4/trace", json=trace).json() == {"code": 0}
    assert api.delete("/api/v4/trace").json() == {"code": 0}


def test_t_stream_log(single_client: TestClient, single_node: World) -> None:
    """emqx_mod_trace_api_SUITE.erl, t_stream_log.

    The suite creates the trace with `emqx_trace:create/1` and drives an MQTT client
    (connect, five pings, two publishes, disconnect) whose packets the trace logs. Here the
    trace is created through the API with the same fields, for a connected client of the
    world, whose traffic is what the trace records; the same reads and assertions follow.
    """
    api, world = single_client, single_node
    load_module(world, "emqx_mod_trace")
    world.diagnostics.clear_traces()
    client_id = next(c for c in world.clients() if c.connected).clientid
    now = world.now // 1000
    start = _rfc3339(now - 10)
    body = {"name": "test_stream_log", "type": "clientid", "clientid": client_id}
    assert api.post("/api/v4/trace", json={**body, "start_at": start}).json() == {"code": 0}

    binary = api.get("/api/v4/trace/test_stream_log/log?bytes=10").json()
    assert binary["code"] == 0
    assert len(binary["data"]["items"].encode()) == 10
    assert binary["data"]["meta"] == {"position": 10, "bytes": 10}
    binary1 = api.get("/api/v4/trace/test_stream_log/log?position=20&bytes=10").json()
    assert binary1["code"] == 0
    assert binary1["data"]["meta"] == {"position": 30, "bytes": 10}
    assert len(binary1["data"]["items"].encode()) == 10

    detail = api.get("/api/v4/trace/test_stream_log/detail").json()
    assert detail["code"] == 0 and len(detail["data"]) == 1
    (entry,) = detail["data"]
    assert entry["node"] == world.running_nodes()[0].name
    assert entry["size"] > 0
    assert entry["mtime"] >= now
