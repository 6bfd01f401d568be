"""Who may call /api/v5 (emqx_dashboard:authorize/1, emqx_mgmt_auth.erl, minirest 1.4.4)."""

from __future__ import annotations

from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.mock_server import MockConfig, create_app
from mqtt_api_kit.openapi import document

from ...support import basic

REALM = 'Basic Realm="emqx-dashboard"'


def test_no_header_is_401_authorization_header_error_with_the_realm(app: TestClient) -> None:
    r = app.get("/api/v5/clients")
    assert r.status_code == 401
    assert r.json() == {
        "code": "AUTHORIZATION_HEADER_ERROR",
        "message": "Support authorization: basic/bearer ",
    }
    assert r.headers["www-authenticate"] == REALM


def test_a_wrong_api_key_is_bad_api_key_or_secret(app: TestClient) -> None:
    r = app.get("/api/v5/clients", headers=basic("admin", "nope"))
    assert (r.status_code, r.json()["code"]) == (401, "BAD_API_KEY_OR_SECRET")
    assert r.headers["www-authenticate"] == REALM


def test_unknown_routes_and_methods_are_answered_before_credentials(app: TestClient) -> None:
    html = app.get("/api/v5/no/such/route")
    assert html.status_code == 404 and html.headers["content-type"].startswith("text/html")
    as_json = app.get("/api/v5/no/such/route", headers={"accept": "application/json"})
    assert as_json.json() == {"code": "NOT_FOUND", "message": "Request Path Not Found"}
    wrong_method = app.delete("/api/v5/nodes")
    assert wrong_method.status_code == 405 and wrong_method.content == b""
    assert wrong_method.headers["allow"] == "GET"


def test_login_gives_a_token_that_works_on_every_route(app: TestClient) -> None:
    login = app.post("/api/v5/login", json={"username": "admin", "password": "public"})
    assert login.status_code == 200
    assert login.json()["license"] == {"edition": "opensource"}
    headers = {"Authorization": f"Bearer {login.json()['token']}"}
    assert app.get("/api/v5/clients", headers=headers).status_code == 200
    assert app.get("/api/v5/api_key", headers=headers).status_code == 200
    bad = app.get("/api/v5/clients", headers={"Authorization": "Bearer not-a-token"})
    assert (bad.status_code, bad.json()["code"]) == (401, "BAD_TOKEN")
    assert "www-authenticate" not in bad.headers


def test_a_bad_password_is_refused(app: TestClient) -> None:
    r = app.post("/api/v5/login", json={"username": "admin", "password": "wrong"})
    assert r.status_code == 401
    assert r.json() == {"code": "BAD_USERNAME_OR_PWD", "message": "Auth failed"}


def test_bearer_only_marks_the_routes_api_keys_may_not_call() -> None:
    """`x-emqx.bearer-only` is on exactly the operations under the path prefixes that
    emqx_mgmt_auth:authorize/4 refuses to API keys."""
    doc = document("emqx-v5.yaml")
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if not isinstance(op, dict) or "operationId" not in op:
                continue
            marked = op.get("x-emqx", {}).get("bearer-only", False)
            refused = path.startswith(("/users", "/api_key", "/logout"))
            assert marked == refused, (method, path)


def test_api_keys_may_not_manage_users_or_keys(api: TestClient) -> None:
    for path in ("/api/v5/users", "/api/v5/api_key"):
        r = api.get(path)
        assert (r.status_code, r.json()["code"]) == (401, "API_KEY_NOT_ALLOW"), path


def test_a_created_api_key_authenticates_and_a_disabled_one_does_not(
    app: TestClient, bearer: dict[str, str]
) -> None:
    made = app.post(
        "/api/v5/api_key", json={"name": "ops", "desc": "on call", "enable": True}, headers=bearer
    )
    assert made.status_code == 200
    key, secret = made.json()["api_key"], made.json()["api_secret"]
    assert app.get("/api/v5/nodes", headers=basic(key, secret)).status_code == 200
    off = app.put("/api/v5/api_key/ops", json={"enable": False}, headers=bearer)
    assert off.json()["enable"] is False and off.json()["desc"] == "on call"
    assert app.get("/api/v5/nodes", headers=basic(key, secret)).status_code == 401
    assert app.delete("/api/v5/api_key/ops", headers=bearer).status_code == 204
    assert app.get("/api/v5/api_key/ops", headers=bearer).status_code == 404


def test_the_bootstrap_key_is_the_auth_pair_and_is_listed(world: World) -> None:
    """`--auth` is the one start-up credential: 5.x's bootstrap API key, and (the world's one
    table of dashboard users, as for 4.x) the default dashboard user instead of admin."""
    app = TestClient(create_app(world, MockConfig(auth=("boot", "s3cret-pass"))))
    assert app.get("/api/v5/clients", headers=basic("boot", "s3cret-pass")).status_code == 200
    stock = app.post("/api/v5/login", json={"username": "admin", "password": "public"})
    assert stock.status_code == 401
    token = app.post("/api/v5/login", json={"username": "boot", "password": "s3cret-pass"})
    keys = app.get("/api/v5/api_key", headers={"Authorization": f"Bearer {token.json()['token']}"})
    boot = [k for k in keys.json() if k["api_key"] == "boot"]
    assert boot and boot[0]["desc"] == "Bootstrapped From File"
    assert boot[0]["name"].startswith("from_bootstrap_file_")
    assert boot[0]["expired_at"] == "infinity"


def test_no_auth_opens_the_api(world: World) -> None:
    app = TestClient(create_app(world, MockConfig(auth=None)))
    assert app.get("/api/v5/clients").status_code == 200


def test_a_password_change_ends_the_users_tokens(app: TestClient, bearer: dict[str, str]) -> None:
    change = {"old_pwd": "public", "new_pwd": "better-pass-1"}
    assert (
        app.post("/api/v5/users/admin/change_pwd", json=change, headers=bearer).status_code == 204
    )
    assert app.get("/api/v5/clients", headers=bearer).json()["code"] == "BAD_TOKEN"
    again = app.post("/api/v5/login", json={"username": "admin", "password": "better-pass-1"})
    assert again.status_code == 200


def test_logout_ends_the_token_of_its_owner_only(app: TestClient, bearer: dict[str, str]) -> None:
    other = app.post("/api/v5/logout", json={"username": "someone"}, headers=bearer)
    assert (other.status_code, other.json()["code"]) == (401, "WRONG_TOKEN_OR_USERNAME")
    assert app.post("/api/v5/logout", json={"username": "admin"}, headers=bearer).status_code == 204
    assert app.get("/api/v5/clients", headers=bearer).status_code == 401


def test_the_default_user_and_the_caller_cannot_be_deleted(
    app: TestClient, bearer: dict[str, str]
) -> None:
    admin = app.delete("/api/v5/users/admin", headers=bearer)
    assert admin.json() == {"code": "NOT_ALLOWED", "message": 'Cannot delete user <<"admin">>'}
    made = app.post(
        "/api/v5/users", json={"username": "ops_1", "password": "ops-pass-1"}, headers=bearer
    )
    assert made.json() == {"username": "ops_1", "description": ""}
    weak = app.post("/api/v5/users", json={"username": "x", "password": "short"}, headers=bearer)
    assert weak.json() == {"code": "BAD_REQUEST", "message": "The range of password length is 8~64"}
    assert app.delete("/api/v5/users/ops_1", headers=bearer).status_code == 204
