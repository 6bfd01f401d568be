"""`GET /schemas/{name}`: the dashboard's schema JSON, open, built from what the mock serves."""

from __future__ import annotations

from starlette.testclient import TestClient


def test_hotconf_describes_the_config_roots_served(app: TestClient, api: TestClient) -> None:
    shown = app.get("/api/v5/schemas/hotconf")  # no credentials: `security => []`
    assert shown.status_code == 200
    body = shown.json()
    assert body["info"] == {"title": "Hot Conf Schema", "version": "0.2.0"}
    sysmon = body["paths"]["/configs/sysmon"]
    assert set(sysmon) == {"get", "put"}
    ref = sysmon["get"]["$ref"].rsplit("/", 1)[1]
    fields = set(body["components"]["schemas"][ref]["properties"])
    assert fields == set(api.get("/api/v5/configs/sysmon").json())
    assert body["paths"]["/configs_reset/:rootname"] == {}  # no 200 JSON answer


def test_each_name_has_its_modules_paths(app: TestClient) -> None:
    for name, prefix in (("bridges", "/bridges"), ("connectors", "/connectors")):
        paths = app.get(f"/api/v5/schemas/{name}").json()["paths"]
        assert paths and all(p.startswith(prefix) and "{" not in p for p in paths)
    actions = app.get("/api/v5/schemas/actions").json()["paths"]
    assert "/actions/:id" in actions and "/sources/:id" in actions
    unknown = app.get("/api/v5/schemas/rules")
    assert unknown.status_code == 400 and unknown.json()["code"] == "BAD_REQUEST"
