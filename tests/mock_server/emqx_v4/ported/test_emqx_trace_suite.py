"""apps/emqx_plugin_libs/test/emqx_trace_SUITE.erl (v4.4.19): the cases whose calls the
trace API makes.

Ported: t_base_create_delete, t_create_size_max, t_create_failed, t_create_default,
t_create_with_extra_fields (the suite calls
`emqx_trace:create/1`, whose `{error, Reason}` `POST /trace` answers as
`{"code":"INCORRECT_PARAMS","message":Reason}`, and `emqx_trace:list/0`, which `GET /trace`
shows), t_download_log and t_trace_file_detail (the suite calls the API handlers
`download_zip_log/2` and `trace_file_detail/2`). In the MQTT cases a connected client of the
world stands in for the suite's `emqtt` client.

`emqx_trace:delete/1` is `DELETE /trace/{name}`, whose `{error, not_found}` the API answers
as `{"code":"NOT_FOUND","message":"<name> NOT FOUND"}`.

t_load_state and t_get_log_filename sleep past a trace's end: the world's clock is moved
on instead (`Clock.advance`, the stand-in for `ct:sleep/1`). `emqx_trace:get_trace_filename/1`
is what `GET /trace/{name}/detail` calls (`{error, not_found}` → `{"code":"NOT_FOUND",
"message":"not_found"}`); the list's `enable` is read as `list_trace/2` shows it, `status`
(`status/5`: `stopped` once disabled or past its end).

Not ported: t_update_enable (it re-enables a trace with `emqx_trace:update(Name, true)`; the
4.4.19 API has only `PUT /trace/{name}/stop`, emqx_mod_trace_api.erl), t_client_event,
t_trace_file, t_find_closed_time (they read the log files, the trace directory or an internal
function directly).
"""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World

from .broker import load_module


def _rfc3339(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(seconds))


def _create(api: TestClient, body: Mapping[str, object]) -> Any:
    return api.post("/api/v4/trace", json=body).json()


def _error(reason: str) -> dict[str, str]:
    return {"code": "INCORRECT_PARAMS", "message": reason}


def _ready(world: World) -> None:
    """init_per_testcase/2: the trace server runs and its table is empty."""
    load_module(world, "emqx_mod_trace")
    world.diagnostics.clear_traces()


def _seconds(rfc3339: str) -> int:
    return int(datetime.fromisoformat(rfc3339).timestamp())


def test_t_base_create_delete(single_client: TestClient, single_node: World) -> None:
    """emqx_trace_SUITE.erl, t_base_create_delete. `emqx_trace:list/0` and `format/1` are
    read through `GET /trace` (`list_trace/2`): the record's `filter` is shown under its type's
    name, the times as RFC 3339, and `enable => true` within its window as status `running`."""
    api, world = single_client, single_node
    _ready(world)
    now = world.now // 1000
    start, end = _rfc3339(now), _rfc3339(now + 30 * 60)
    name, client_id = "name1", "test-device"
    trace = {
        "name": name,
        "type": "clientid",
        "clientid": client_id,
        "start_at": start,
        "end_at": end,
    }
    another = {**trace, "name": "anotherTrace"}
    assert _create(api, trace) == {"code": 0}
    assert _create(api, trace) == {"code": "ALREADY_EXISTED", "message": "name1Already Exists"}
    assert _create(api, another) == {
        "code": "DUPLICATE_CONDITION",
        "message": "name1Duplication Condition",
    }
    (listed,) = api.get("/api/v4/trace").json()["data"]
    assert (listed["name"], listed["type"], listed["clientid"]) == (name, "clientid", client_id)
    assert (_seconds(listed["start_at"]), _seconds(listed["end_at"])) == (now, now + 30 * 60)
    assert listed["status"] == "running"
    assert api.delete(f"/api/v4/trace/{name}").json() == {"code": 0}
    assert api.delete(f"/api/v4/trace/{name}").json() == {
        "code": "NOT_FOUND",
        "message": "name1 NOT FOUND",
    }
    assert api.get("/api/v4/trace").json() == {"code": 0, "data": []}


def test_t_create_size_max(single_client: TestClient, single_node: World) -> None:
    """emqx_trace_SUITE.erl, t_create_size_max: at most 30 traces (`?MAX_SIZE`)."""
    api = single_client
    _ready(single_node)
    for seq in range(1, 31):
        body = {"name": f"name{seq}", "type": "topic", "topic": f"/x/y/{seq}"}
        assert _create(api, body) == {"code": 0}
    trace31 = {"name": "name31", "type": "topic", "topic": "/x/y/31"}
    assert _create(api, trace31)["code"] != 0  # {error, _}
    assert api.delete("/api/v4/trace/name30").json() == {"code": 0}
    assert _create(api, trace31) == {"code": 0}
    assert len(api.get("/api/v4/trace").json()["data"]) == 30


def test_t_create_failed(single_client: TestClient, single_node: World) -> None:
    """emqx_trace_SUITE.erl, t_create_failed. One assertion is left out: the suite passes
    the topic as an Erlang string (`"#/#//"`), which no JSON body can carry; its message
    (`invalid by function_clause`) comes from `emqx_topic:validate/2` refusing a list."""
    api = single_client
    _ready(single_node)
    name = {"name": "test"}
    assert _create(api, {**name, "unknown": 12}) == _error(
        "type=[topic,clientid,ip_address] required"
    )
    invalid_start = {**name, "type": "topic", "topic": "/sys/", "start_at": "2021-12-3:12"}
    assert _create(api, invalid_start) == _error(
        "The rfc3339 specification not satisfied: 2021-12-3:12"
    )
    invalid_end = {**name, "type": "topic", "topic": "/sys/", "end_at": "2021-12-3:12"}
    assert _create(api, invalid_end) == _error(
        "The rfc3339 specification not satisfied: 2021-12-3:12"
    )
    assert _create(api, {**name, "type": "clientid"}) == _error("required clientid field")
    packets4 = {"name": "/test", "clientid": "t", "type": "clientid"}
    assert _create(api, packets4) == _error("Name should be ^[0-9A-Za-z]+[A-Za-z0-9-_]*$")
    assert _create(api, {"name": "test-name", "clientid": "good"}) == _error(
        "type=[topic,clientid,ip_address] required"
    )
    bad_ip = {**name, "type": "ip_address", "ip_address": "test-name"}
    assert _create(api, bad_ip) == _error("ip address: einval")


def test_t_create_default(single_client: TestClient, single_node: World) -> None:
    """emqx_trace_SUITE.erl, t_create_default."""
    api, world = single_client, single_node
    _ready(world)
    assert _create(api, {}) == _error("name required")
    good = {"name": "test-name", "type": "clientid", "clientid": "good"}
    assert _create(api, good) == {"code": 0}
    assert [t["name"] for t in api.get("/api/v4/trace").json()["data"]] == ["test-name"]
    assert api.delete("/api/v4/trace").json() == {"code": 0}
    past = {
        "name": "test-name",
        "type": "topic",
        "topic": "/x/y/z",
        "start_at": "2021-10-28T10:54:47+08:00",
        "end_at": "2021-10-27T10:54:47+08:00",
    }
    assert _create(api, past) == _error("end_at time has already passed")
    now = world.now // 1000
    backwards = {**past, "start_at": _rfc3339(now + 10), "end_at": _rfc3339(now + 3)}
    assert _create(api, backwards) == _error("failed by start_at >= end_at")
    assert _create(api, {"name": "test-name", "type": "topic", "topic": "/x/y/z"}) == {"code": 0}
    (trace,) = api.get("/api/v4/trace").json()["data"]
    start = int(datetime.fromisoformat(trace["start_at"]).timestamp())
    end = int(datetime.fromisoformat(trace["end_at"]).timestamp())
    assert end - start == 10 * 60
    assert start - world.now // 1000 < 5


def test_t_create_with_extra_fields(single_client: TestClient, single_node: World) -> None:
    """emqx_trace_SUITE.erl, t_create_with_extra_fields."""
    api = single_client
    _ready(single_node)
    body = {
        "name": "test-name",
        "type": "topic",
        "topic": "/x/y/z",
        "clientid": "dev001",
        "ip_address": "127.0.0.1",
    }
    assert _create(api, body) == {"code": 0}
    (trace,) = api.get("/api/v4/trace").json()["data"]
    assert (trace["name"], trace["type"], trace["topic"]) == ("test-name", "topic", "/x/y/z")


def test_t_download_log(single_client: TestClient, single_node: World) -> None:
    """emqx_trace_SUITE.erl, t_download_log (`download_zip_log/2` → GET …/download)."""
    api, world = single_client, single_node
    _ready(world)
    client_id = next(c for c in world.clients() if c.connected).clientid
    start = _rfc3339(world.now // 1000 - 2)
    body = {"name": "test_client_id", "type": "clientid", "clientid": client_id, "start_at": start}
    assert _create(api, body) == {"code": 0}
    archive = api.get("/api/v4/trace/test_client_id/download")
    assert archive.status_code == 200 and len(archive.content) > 0
    assert zipfile.ZipFile(io.BytesIO(archive.content)).namelist()


def test_t_trace_file_detail(single_client: TestClient, single_node: World) -> None:
    """emqx_trace_SUITE.erl, t_trace_file_detail (`trace_file_detail/2` → GET …/detail)."""
    api, world = single_client, single_node
    _ready(world)
    client_id = next(c for c in world.clients() if c.connected).clientid
    now = world.now // 1000 - 10
    body = {
        "name": "test_client_id1",
        "type": "clientid",
        "clientid": client_id,
        "start_at": _rfc3339(now),
    }
    assert _create(api, body) == {"code": 0}
    detail = api.get("/api/v4/trace/test_client_id1/detail").json()
    assert detail["code"] == 0 and len(detail["data"]) == 1
    (entry,) = detail["data"]
    assert entry["node"] == world.running_nodes()[0].name
    assert entry["size"] >= 0
    assert entry["mtime"] >= now


def test_t_load_state(single_client: TestClient, single_node: World) -> None:
    """emqx_trace_SUITE.erl, t_load_state."""
    api, world = single_client, single_node
    _ready(world)
    now = world.now // 1000
    running = {
        "name": "Running",
        "type": "topic",
        "topic": "/x/y/1",
        "start_at": _rfc3339(now - 1),
        "end_at": _rfc3339(now + 2),
    }
    waiting = {
        "name": "Waiting",
        "type": "topic",
        "topic": "/x/y/2",
        "start_at": _rfc3339(now + 3),
        "end_at": _rfc3339(now + 8),
    }
    finished = {
        "name": "Finished",
        "type": "topic",
        "topic": "/x/y/3",
        "start_at": _rfc3339(now - 5),
        "end_at": _rfc3339(now),
    }
    assert _create(api, running) == {"code": 0}
    assert _create(api, waiting) == {"code": 0}
    assert _create(api, finished) == _error("end_at time has already passed")
    traces = api.get("/api/v4/trace").json()["data"]
    assert len(traces) == 2
    # both enabled: Running within its window, Waiting before its start
    assert sorted((t["name"], t["status"]) for t in traces) == [
        ("Running", "running"),
        ("Waiting", "waiting"),
    ]
    world.clock.advance(3500)  # ct:sleep(3500)
    traces2 = api.get("/api/v4/trace").json()["data"]
    assert len(traces2) == 2
    # Running past its end (enable false), Waiting now within its window (enable true)
    assert sorted((t["name"], t["status"]) for t in traces2) == [
        ("Running", "stopped"),
        ("Waiting", "running"),
    ]


def test_t_get_log_filename(single_client: TestClient, single_node: World) -> None:
    """emqx_trace_SUITE.erl, t_get_log_filename."""
    api, world = single_client, single_node
    _ready(world)
    now = world.now // 1000
    trace = {
        "name": "name1",
        "type": "ip_address",
        "ip_address": "127.0.0.1",
        "start_at": _rfc3339(now),
        "end_at": _rfc3339(now + 2),
    }
    assert _create(api, trace) == {"code": 0}
    missing = api.get("/api/v4/trace/test/detail").json()
    assert missing == {"code": "NOT_FOUND", "message": "not_found"}
    assert api.get("/api/v4/trace/name1/detail").json()["code"] == 0
    world.clock.advance(3000)  # ct:sleep(3000)
    assert api.get("/api/v4/trace/name1/detail").json()["code"] == 0
