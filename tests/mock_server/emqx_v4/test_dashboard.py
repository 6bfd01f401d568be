"""Dashboard-listener routes: login check without credentials, users, API apps."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World

from ...support import basic


@pytest.mark.read_only
def test_login_needs_no_credentials_and_checks_the_dashboard_table(client: TestClient) -> None:
    anonymous = {"Authorization": ""}
    good = client.post(
        "/api/v4/auth", json={"username": "admin", "password": "public"}, headers=anonymous
    )
    assert good.status_code == 200 and good.json() == {"code": 0}
    bad = client.post(
        "/api/v4/auth", json={"username": "admin", "password": "nope"}, headers=anonymous
    )
    assert bad.json() == {"message": "Username/Password error"}
    assert client.post("/api/v4/auth", json={"password": "x"}, headers=anonymous).json() == {
        "message": "Username undefined"
    }
    assert client.post("/api/v4/auth", json={"username": "admin"}, headers=anonymous).json() == {
        "message": "Password undefined"
    }


@pytest.mark.read_only
def test_only_the_exact_login_route_is_open(client: TestClient) -> None:
    for method, path in (
        ("GET", "/api/v4/auth"),
        ("POST", "/api/v4/auth/x"),
        ("GET", "/api/v4/users"),
        ("POST", "/api/v4/users"),
    ):
        answer = client.request(method, path, headers={"Authorization": ""})
        assert answer.status_code == 401, (method, path)
    wrong = client.get("/api/v4/users", headers=basic("admin", "wrong"))
    assert wrong.status_code == 401


def test_dashboard_users_crud(client: TestClient, world: World) -> None:
    assert client.post("/api/v4/users", json={"username": "ops", "password": "short"}).json() == {
        "message": "The password length: 8-64"
    }
    body = {"username": "ops", "password": "s3cret-pass", "tags": "viewer"}
    assert client.post("/api/v4/users", json=body).json() == {"code": 0}
    assert client.post("/api/v4/users", json=body).json() == {"message": "Username Already Exist"}
    assert {"username": "ops", "tags": "viewer"} in client.get("/api/v4/users").json()["data"]
    assert client.put("/api/v4/users/ops", json={"tags": "admin"}).json() == {"code": 0}
    assert world.console.users["ops"].tags == "admin"
    login = {"username": "ops", "password": "s3cret-pass"}
    assert client.post("/api/v4/auth", json=login).json() == {"code": 0}
    change = {"old_pwd": "s3cret-pass", "new_pwd": "n3w-pass-word"}
    assert client.put("/api/v4/change_pwd/ops", json=change).json() == {"code": 0}
    assert client.post("/api/v4/auth", json=login).json() == {"message": "Username/Password error"}
    # change_password/3 checks the old password with check/2 (emqx_dashboard_admin.erl)
    assert client.put("/api/v4/change_pwd/ops", json=change).json() == {
        "message": "Username/Password error"
    }
    assert client.delete("/api/v4/users/ops").json() == {"code": 0}
    assert client.delete("/api/v4/users/ops").json() == {"message": "Username Not Found"}
    assert client.delete("/api/v4/users/admin").json() == {"message": "Cannot delete admin"}
    assert client.put("/api/v4/users/ghost", json={"tags": ""}).json() == {
        "message": "Username Not Found"
    }


def test_apps_crud(client: TestClient, world: World) -> None:
    listed = client.get("/api/v4/apps").json()["data"]
    default = next(a for a in listed if a["app_id"] == "admin")
    assert default == {
        "app_id": "admin",
        "name": "Default",
        "desc": "Application user",
        "status": True,
        "expired": "undefined",
    }
    assert all("secret" not in a for a in listed)
    created = client.post("/api/v4/apps", json={"app_id": "ci", "name": "CI"}).json()
    secret = created["data"]["secret"]
    assert len(secret) >= 16
    shown = client.get("/api/v4/apps/ci").json()["data"]
    # add_app/2 stores every field as sent: no status given is `undefined` (emqx_mgmt_api_apps)
    assert shown["secret"] == secret and shown["status"] == "undefined"
    assert client.post("/api/v4/apps", json={"app_id": "ci"}).json() == {
        "message": "already_existed"
    }
    assert client.put("/api/v4/apps/ci", json={"status": False, "expired": 1900000000}).json() == {
        "code": 0
    }
    assert world.console.apps["ci"].expired == 1900000000
    assert client.put("/api/v4/apps/none", json={}).json() == {"message": "not_found"}
    assert client.delete("/api/v4/apps/ci").json() == {"code": 0}
    assert client.get("/api/v4/apps/ci").json() == {"code": 0, "data": {}}
    assert client.delete("/api/v4/apps/ci").json() == {"code": 0}
    # The broker crashes without app_id (500); the document requires it, so the mock refuses.
    refused = client.post("/api/v4/apps", json={"name": "no id"})
    assert refused.status_code in (200, 500) and refused.json().get("code") != 0
