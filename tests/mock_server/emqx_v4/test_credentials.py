"""One credential model, as on a real 4.4 broker: API applications and dashboard users, read
from the world at every request (fixtures/console.py).

* 8081 admits an app whose `emqx_mgmt_auth:is_authorized/2` holds (status `true`, not past
  `expired`, the secret);
* 18083 admits a dashboard user whose `emqx_dashboard_admin:check/2` holds.

The mock serves both listeners on one port: a route both serve admits either, a route only the
dashboard serves (`/users`, `/change_pwd`, `/apps`) only dashboard users.
"""

from __future__ import annotations

import json
import time

from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.mock_server import MockConfig, create_app

from ...support import basic

ANONYMOUS = {"Authorization": ""}
# Every request of the stock 4.4.11 dashboard carries these (src/common/api.js).
DASHBOARD_HEADERS = {"Content-Type": "application/json", "Cache-Control": "no-cache"}
NEW_PASSWORD = "Emqx-2024-dash"


def _get(client: TestClient, path: str, user: str, password: str) -> dict[str, object]:
    """A GET as the dashboard's helper makes it: Basic credentials and the `_` cache-buster."""
    answer = client.get(
        path,
        params={"_": str(int(time.time() * 1000))},
        headers={**DASHBOARD_HEADERS, **basic(user, password)},
    )
    assert answer.status_code == 200, (path, answer.status_code, answer.text)
    body: dict[str, object] = answer.json()
    return body


def test_the_stock_dashboards_first_login_and_password_change(world: World) -> None:
    """emqx-dashboard-frontend v4.4.11: Login.vue posts `/auth`; a user still on the default
    password is sent to Users.vue, whose `updateUser()` PUTs the whole record to
    `/users/{name}`, then `/change_pwd/{name}`, then logs in again; the overview then loads
    `/nodes`, `/stats`, `/brokers/{node}`, `/nodes/{node}/metrics`."""
    client = TestClient(create_app(world, MockConfig()))
    login = {"username": "admin", "password": "public"}
    first = client.post("/api/v4/auth", json=login, headers={**DASHBOARD_HEADERS, **ANONYMOUS})
    assert first.json() == {"code": 0}
    users = _get(client, "/api/v4/users", "admin", "public")
    rows = users["data"]
    assert isinstance(rows, list)
    row = next(u for u in rows if u["username"] == "admin")
    record = {**row, "password": "public", "newPassword": NEW_PASSWORD}
    record["repeatPassword"] = NEW_PASSWORD
    updated = client.put(
        "/api/v4/users/admin", json=record, headers={**DASHBOARD_HEADERS, **basic(*login.values())}
    )
    assert updated.json() == {"code": 0}
    changed = client.put(
        "/api/v4/change_pwd/admin",
        json={"old_pwd": "public", "new_pwd": NEW_PASSWORD},
        headers={**DASHBOARD_HEADERS, **basic("admin", "public")},
    )
    assert changed.json() == {"code": 0}
    relogin = client.post(
        "/api/v4/auth",
        json={"username": "admin", "password": NEW_PASSWORD},
        headers={**DASHBOARD_HEADERS, **ANONYMOUS},
    )
    assert relogin.json() == {"code": 0}

    node = world.running_nodes()[0].name
    for path in (
        "/api/v4/nodes",
        "/api/v4/stats",
        f"/api/v4/brokers/{node}",
        f"/api/v4/nodes/{node}/metrics",
    ):
        assert _get(client, path, "admin", NEW_PASSWORD)["code"] == 0, path
    assert world.console.users["admin"].tags == "administrator"  # the record's own tags

    # The old password is the dashboard user's no more: login refused, dashboard routes 401.
    assert client.post("/api/v4/auth", json=login, headers=ANONYMOUS).json() == {
        "message": "Username/Password error"
    }
    assert client.get("/api/v4/users", headers=basic("admin", "public")).status_code == 401
    # admin:public is still the default *application* (8081's credential, a separate table):
    # routes both listeners serve admit it until the app goes, as a broker's 8081 would.
    assert client.get("/api/v4/nodes", headers=basic("admin", "public")).status_code == 200
    gone = client.delete("/api/v4/apps/admin", headers=basic("admin", NEW_PASSWORD))
    assert gone.json() == {"code": 0}
    for path in ("/api/v4/nodes", "/api/v4/stats", f"/api/v4/brokers/{node}"):
        assert client.get(path, headers=basic("admin", "public")).status_code == 401, path
        assert _get(client, path, "admin", NEW_PASSWORD)["code"] == 0


def test_a_new_dashboard_user_is_admitted_at_once_and_refused_once_deleted(world: World) -> None:
    client = TestClient(create_app(world, MockConfig()), headers=basic("admin", "public"))
    body = {"username": "ops1", "password": "ops-pass-1", "tags": "viewer"}
    assert client.post("/api/v4/users", json=body).json() == {"code": 0}
    assert client.get("/api/v4/clients", headers=basic("ops1", "ops-pass-1")).status_code == 200
    assert client.get("/api/v4/users", headers=basic("ops1", "ops-pass-1")).status_code == 200
    assert client.get("/api/v4/clients", headers=basic("ops1", "wrong-pass1")).status_code == 401
    assert client.delete("/api/v4/users/ops1").json() == {"code": 0}
    assert client.get("/api/v4/clients", headers=basic("ops1", "ops-pass-1")).status_code == 401


def test_apps_are_admitted_while_enabled_and_unexpired(world: World) -> None:
    client = TestClient(create_app(world, MockConfig()), headers=basic("admin", "public"))
    made = client.post("/api/v4/apps", json={"app_id": "grafana2", "name": "G", "status": True})
    secret = made.json()["data"]["secret"]
    app = basic("grafana2", secret)
    assert client.get("/api/v4/nodes", headers=app).status_code == 200
    assert client.get("/api/v4/nodes", headers=basic("grafana2", secret + "x")).status_code == 401
    # An app never reaches the dashboard listener's own routes.
    assert client.get("/api/v4/users", headers=app).status_code == 401
    # status false → refused; true again → admitted.
    assert client.put("/api/v4/apps/grafana2", json={"status": False}).json() == {"code": 0}
    assert client.get("/api/v4/nodes", headers=app).status_code == 401
    assert client.put("/api/v4/apps/grafana2", json={"status": True}).json() == {"code": 0}
    assert client.get("/api/v4/nodes", headers=app).status_code == 200
    # `expired` is compared with the world's time in seconds (is_expired/1: Expired >= Now).
    now_s = world.now // 1000
    past = {"status": True, "expired": now_s - 60}
    assert client.put("/api/v4/apps/grafana2", json=past).json() == {"code": 0}
    assert client.get("/api/v4/nodes", headers=app).status_code == 401
    future = {"status": True, "expired": now_s + 3600}
    assert client.put("/api/v4/apps/grafana2", json=future).json() == {"code": 0}
    assert client.get("/api/v4/nodes", headers=app).status_code == 200
    # An update that leaves `status` out stores `undefined`: `Status andalso …` crashes, and
    # authorize_appid/3 counts the crash as a refusal.
    assert client.put("/api/v4/apps/grafana2", json={"name": "G"}).json() == {"code": 0}
    assert client.get("/api/v4/apps/grafana2").json()["data"]["status"] == "undefined"
    assert client.get("/api/v4/nodes", headers=app).status_code == 401
    assert client.delete("/api/v4/apps/grafana2").json() == {"code": 0}
    assert client.get("/api/v4/nodes", headers=app).status_code == 401


def test_an_app_given_its_secret_and_a_disabled_seeded_app(world: World) -> None:
    client = TestClient(create_app(world, MockConfig()), headers=basic("admin", "public"))
    body = {"app_id": "ci2", "secret": "s3cr3t", "status": True, "expired": "never"}
    assert client.post("/api/v4/apps", json=body).json() == {
        "code": 0,
        "data": {"secret": "s3cr3t"},
    }
    # A string never lapses: every binary is greater than any number in Erlang's term order.
    assert client.get("/api/v4/nodes", headers=basic("ci2", "s3cr3t")).status_code == 200
    disabled = next(a for a in world.console.apps.values() if a.status is False)
    assert (
        client.get("/api/v4/nodes", headers=basic(disabled.app_id, disabled.secret)).status_code
        == 401
    )


def test_auth_option_sets_the_default_app_and_user_and_no_auth_turns_checks_off(
    world: World,
) -> None:
    client = TestClient(create_app(world, MockConfig(auth=("ops", "t0ps3cret"))))
    assert client.get("/api/v4/nodes", headers=basic("ops", "t0ps3cret")).status_code == 200
    assert client.get("/api/v4/nodes", headers=basic("admin", "public")).status_code == 401
    assert (
        client.get("/api/v2/management/nodes", headers=basic("ops", "t0ps3cret")).status_code == 200
    )
    assert world.console.apps["ops"].name == "Default" and "admin" not in world.console.apps
    login = {"username": "ops", "password": "t0ps3cret"}
    assert client.post("/api/v4/auth", json=login).json() == {"code": 0}
    open_client = TestClient(create_app(world, MockConfig(auth=None)))
    assert open_client.get("/api/v4/nodes").status_code == 200
    assert open_client.get("/api/v2/management/nodes").status_code == 200


def test_emqx_2_3_admits_its_dashboard_users_as_they_change(world: World) -> None:
    """src/emqttd_http.erl `authorized/1` → emqttd_mgmt:check_user/2 on every call."""
    client = TestClient(create_app(world, MockConfig()), headers=basic("admin", "public"))
    body = {"username": "viewer2", "password": "v1ewer", "tags": "viewer"}
    assert client.post("/api/v2/users", json=body).json() == {"code": 0, "result": []}
    viewer = basic("viewer2", "v1ewer")
    assert client.get("/api/v2/management/nodes", headers=viewer).status_code == 200
    change = {"old_pwd": "v1ewer", "new_pwd": "v2ewer"}
    assert client.put("/api/v2/change_pwd/viewer2", json=change).json()["code"] == 0
    assert client.get("/api/v2/management/nodes", headers=viewer).status_code == 401
    assert (
        client.get("/api/v2/management/nodes", headers=basic("viewer2", "v2ewer")).status_code
        == 200
    )
    # the same table is the 4.4 dashboard's: the 2.3 user signs in to /api/v4 too
    assert client.get("/api/v4/users", headers=basic("viewer2", "v2ewer")).status_code == 200
    assert client.delete("/api/v2/users/viewer2").json()["code"] == 0
    assert (
        client.get("/api/v2/management/nodes", headers=basic("viewer2", "v2ewer")).status_code
        == 401
    )


def test_a_backup_carries_apps_and_users_and_its_import_restores_them(world: World) -> None:
    """emqx_mgmt_data_backup: export_applications/0 and export_users/0 (base64 of the
    stored salt ++ MD5); import_applications/1 and import_users/1 force them back."""
    client = TestClient(create_app(world, MockConfig()), headers=basic("admin", "public"))
    made = client.post("/api/v4/apps", json={"app_id": "backup1", "status": True})
    secret = made.json()["data"]["secret"]
    body = {"username": "keeper", "password": "k33p-it-safe"}
    assert client.post("/api/v4/users", json=body).json() == {"code": 0}
    exported = client.post("/api/v4/data/export", json={}).json()["data"]
    backup = json.loads(world.files[exported["filename"]].content)
    assert {"id": "backup1", "secret": secret, "name": "undefined"}.items() <= next(
        a for a in backup["apps"] if a["id"] == "backup1"
    ).items()
    assert "modules" not in backup and "configs" not in backup  # enterprise-only keys
    assert client.delete("/api/v4/apps/backup1").json() == {"code": 0}
    assert client.delete("/api/v4/users/keeper").json() == {"code": 0}
    assert client.get("/api/v4/nodes", headers=basic("backup1", secret)).status_code == 401
    imported = client.post("/api/v4/data/import", json={"filename": exported["filename"]})
    assert imported.json() == {"code": 0}
    assert client.get("/api/v4/nodes", headers=basic("backup1", secret)).status_code == 200
    assert client.get("/api/v4/nodes", headers=basic("keeper", "k33p-it-safe")).status_code == 200
    too_new = client.post("/api/v4/data/import", json={**backup, "version": "4.9"})
    assert too_new.text == '{"message":"\\"4.9\\"","code":"unsupported_version"}'
