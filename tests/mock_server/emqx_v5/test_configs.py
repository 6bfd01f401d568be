"""`/configs…` and `/opentelemetry` through /api/v5: roots read and replaced, the global zone,
resets, and the whole configuration as HOCON text — one world with the features' own APIs."""

from __future__ import annotations

from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.mock_server.emqx_v5 import hocon

TEXT = {"content-type": "text/plain"}


def test_a_root_put_replaces_it_whole_and_reads_back(api: TestClient) -> None:
    before = api.get("/api/v5/configs/sysmon").json()
    assert before["os"]["cpu_check_interval"] == "60s"
    changed = api.put("/api/v5/configs/sysmon", json={"os": {"cpu_check_interval": "15s"}})
    assert changed.status_code == 200
    assert changed.json()["os"]["cpu_check_interval"] == "15s"
    assert changed.json()["vm"] == before["vm"]  # left out: its defaults
    assert api.get("/api/v5/configs/sysmon").json() == changed.json()
    again = api.put("/api/v5/configs/sysmon", json={"vm": {"long_gc": "100ms"}})
    assert again.json()["os"]["cpu_check_interval"] == "60s"  # PUT is a replace, not a merge


def test_bad_bodies_keep_what_is_stored(api: TestClient) -> None:
    api.put("/api/v5/configs/alarm", json={"size_limit": 7})
    for bad in ({"size_limit": "many"}, {"colour": 1}, {"actions": ["shout"]}):
        answer = api.put("/api/v5/configs/alarm", json=bad)
        assert answer.status_code == 400 and answer.json()["code"] == "BAD_REQUEST"
    assert api.get("/api/v5/configs/alarm").json()["size_limit"] == 7


def test_sensitive_values_are_hidden_and_kept(api: TestClient, world: World) -> None:
    shown = api.get("/api/v5/configs/dashboard").json()
    assert shown["default_password"] == "******"
    kept = api.put("/api/v5/configs/dashboard", json={**shown, "cors": True})
    assert kept.json()["default_password"] == "******" and kept.json()["cors"] is True
    assert world.settings.get("dashboard")["default_password"] == "public"


def test_global_zone_and_reset(api: TestClient) -> None:
    zone = api.get("/api/v5/configs/global_zone").json()
    assert set(zone) == {
        "mqtt",
        "flapping_detect",
        "force_shutdown",
        "force_gc",
        "durable_sessions",
    }
    answer = api.put("/api/v5/configs/global_zone", json={"mqtt": {"max_inflight": 8}})
    assert set(answer.json()) == {"mqtt"} and answer.json()["mqtt"]["max_inflight"] == 8
    assert api.get("/api/v5/configs/global_zone").json()["mqtt"]["max_inflight"] == 8
    api.put(
        "/api/v5/configs/sysmon",
        json={"os": {"cpu_check_interval": "5s", "cpu_high_watermark": "90%"}},
    )
    one = api.post("/api/v5/configs_reset/sysmon", params={"conf_path": "os.cpu_check_interval"})
    assert one.status_code == 200
    os_ = api.get("/api/v5/configs/sysmon").json()["os"]
    assert os_["cpu_check_interval"] == "60s" and os_["cpu_high_watermark"] == "90%"
    none = api.post("/api/v5/configs_reset/sysmon", params={"conf_path": "os.nope"})
    assert none.json() == {"code": "NO_DEFAULT_VALUE", "message": "No Default Value."}
    assert api.post("/api/v5/configs_reset/sysmon").status_code == 200
    assert api.get("/api/v5/configs/sysmon").json()["os"]["cpu_high_watermark"] == "80%"


def test_the_whole_configuration_as_text_and_json(api: TestClient) -> None:
    text = api.get("/api/v5/configs")
    assert text.headers["content-type"].startswith("text/plain")
    roots = hocon.parse(text.text)
    assert roots["sysmon"] == api.get("/api/v5/configs/sysmon").json()
    assert roots["listeners"]["tcp"]["default"]["bind"] == "0.0.0.0:1883"
    only = hocon.parse(api.get("/api/v5/configs", params={"key": "alarm"}).text)
    assert set(only) == {"alarm"}
    as_json = api.get("/api/v5/configs", headers={"accept": "application/json"}).json()
    assert set(as_json) == {"dashboard", "alarm", "sys_topics", "sysmon", "log", "broker"}
    refused = api.get("/api/v5/configs", headers={"accept": "image/png"})
    assert refused.status_code == 400 and refused.json()["code"] == "INVALID_ACCEPT"
    nobody = api.get(
        "/api/v5/configs", params={"node": "nobody@nowhere"}, headers={"accept": "application/json"}
    )
    assert nobody.status_code == 404 and nobody.json()["code"] == "NOT_FOUND"


def test_loading_hocon_merges_or_replaces_and_reaches_the_features(
    api: TestClient, world: World
) -> None:
    body = "sysmon.os.cpu_check_interval = 20s\nretainer { max_payload_size = 2MB, enable = false }"
    assert api.put("/api/v5/configs", content=body, headers=TEXT).status_code == 200
    sysmon = api.get("/api/v5/configs/sysmon").json()
    assert (
        sysmon["os"]["cpu_check_interval"] == "20s" and sysmon["os"]["cpu_high_watermark"] == "80%"
    )
    retainer = api.get("/api/v5/mqtt/retainer").json()
    assert retainer["max_payload_size"] == "2MB" and retainer["enable"] is False
    assert not world.plugin_active("emqx_retainer")  # the 4.x plugin is the same switch
    replace = api.put(
        "/api/v5/configs",
        params={"mode": "replace"},
        content="alarm { size_limit = 3 }",
        headers=TEXT,
    )
    assert replace.status_code == 200
    assert api.get("/api/v5/configs/alarm").json() == {
        "actions": ["log", "publish"],
        "size_limit": 3,
        "validity_period": "24h",
    }


def test_bad_hocon_and_read_only_roots_change_nothing(api: TestClient) -> None:
    before = api.get("/api/v5/configs/alarm").json()
    for text in (
        "alarm {",
        "alarm.size_limit = ${NOPE}",
        "cluster.name = x\nalarm.size_limit = 1",
        "gadget.x = 1",
    ):
        answer = api.put("/api/v5/configs", content=text, headers=TEXT)
        assert answer.status_code == 400 and answer.headers["content-type"].startswith("text/plain")
        assert "errors" in answer.json()
    assert (
        "read-only key 'cluster'"
        in api.put("/api/v5/configs", content="cluster.name = x", headers=TEXT).text
    )
    assert api.get("/api/v5/configs/alarm").json() == before
    skipped = api.put(
        "/api/v5/configs",
        params={"ignore_readonly": "true"},
        content="cluster.name = x\nalarm.size_limit = 1",
        headers=TEXT,
    )
    assert skipped.status_code == 200 and api.get("/api/v5/configs/alarm").json()["size_limit"] == 1


def test_opentelemetry(api: TestClient) -> None:
    otel = api.get("/api/v5/opentelemetry").json()
    assert (
        otel["exporter"]["endpoint"] == "http://localhost:4317"
        and otel["metrics"]["enable"] is False
    )
    changed = api.put("/api/v5/opentelemetry", json={"metrics": {"enable": True}})
    assert changed.json()["metrics"] == {"enable": True, "interval": "10s"}
    assert changed.json()["traces"] == otel["traces"]
    assert (
        api.get("/api/v5/configs", params={"key": "opentelemetry"}).text.count("enable = true") >= 1
    )
    assert api.put("/api/v5/opentelemetry", json={"metrics": {"enable": "yes"}}).status_code == 400


def test_hocon_round_trip() -> None:
    tree = {
        "a": {"b": [1, "x y", {"c": 2.5}], "d": "${EMQX_ETC_DIR}/f"},
        "e": True,
        "f": "0.0.0.0:1883",
    }
    assert hocon.parse(hocon.dump(tree)) == tree
    assert hocon.parse('a.b = 1\na { c = "z" }\n# note\nd: [1,2]') == {
        "a": {"b": 1, "c": "z"},
        "d": [1, 2],
    }
