"""Authentication chain and authorization through /api/v5, over the world's auth tables."""

from __future__ import annotations

from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World

DB = "/api/v5/authentication/password_based:built_in_database"
RULES = "/api/v5/authorization/sources/built_in_database/rules"


def test_the_built_in_database_lists_the_worlds_credentials(api: TestClient, world: World) -> None:
    names = [c.login for c in world.auth_db.users("username")]
    page = api.get(DB + "/users", params={"limit": 1000}).json()
    assert [u["user_id"] for u in page["data"]] == names
    assert page["meta"]["count"] == len(names)
    assert "count" not in api.get(DB + "/users", params={"like_user_id": "a"}).json()["meta"]


def test_a_user_made_through_v5_authenticates_through_v4(api: TestClient, world: World) -> None:
    made = api.post(
        DB + "/users", json={"user_id": "meter-7", "password": "pw", "is_superuser": True}
    )
    assert made.status_code == 201 and made.json() == {"user_id": "meter-7", "is_superuser": True}
    assert api.post(DB + "/users", json={"user_id": "meter-7", "password": "x"}).status_code == 409
    assert world.auth_db.user("username", "meter-7") is not None
    v4 = api.get("/api/v4/auth_username/meter-7").json()
    assert v4["code"] == 0 and v4["data"]["username"] == "meter-7"
    assert api.delete(DB + "/users/meter-7").status_code == 204
    assert api.get(DB + "/users/meter-7").json() == {
        "code": "NOT_FOUND",
        "message": "User not found",
    }


def test_user_id_type_decides_whose_credentials_are_listed(api: TestClient, world: World) -> None:
    config = api.get(DB).json()
    config.pop("id")
    assert api.put(DB, json={**config, "user_id_type": "clientid"}).status_code == 204
    ids = [u["user_id"] for u in api.get(DB + "/users", params={"limit": 1000}).json()["data"]]
    assert ids == [c.login for c in world.auth_db.users("clientid")]


def test_the_chain_takes_one_authenticator_per_id_and_moves_them(api: TestClient) -> None:
    jwt = {"mechanism": "jwt", "algorithm": "hmac-based", "secret": "s3cret"}
    made = api.post("/api/v5/authentication", json=jwt)
    assert made.status_code == 200 and made.json()["id"] == "jwt"
    again = api.post("/api/v5/authentication", json=jwt)
    assert again.json() == {
        "code": "ALREADY_EXISTS",
        "message": "Authenticator 'jwt' already exist",
    }
    assert api.put("/api/v5/authentication/jwt/position/front").status_code == 204
    chain = [a["id"] for a in api.get("/api/v5/authentication").json()]
    assert chain == ["jwt", "password_based:built_in_database"]
    odd = api.post("/api/v5/authentication", json={"mechanism": "scram", "backend": "http"})
    assert odd.json() == {"code": "BAD_REQUEST", "message": "Unsupported authentication type"}
    no_users = api.get("/api/v5/authentication/jwt/users")
    assert no_users.json()["message"] == "Operation not supported in this authentication type"
    bad = api.put("/api/v5/authentication/order", json=[{"id": "jwt"}])
    assert bad.status_code == 400 and "No positions are specified" in bad.json()["message"]


def test_rules_are_the_worlds_acl_in_both_versions(api: TestClient) -> None:
    rules = [
        {"topic": "t/1", "permission": "allow", "action": "publish"},
        {"topic": "t/1", "permission": "deny", "action": "subscribe", "qos": [1]},
    ]
    assert api.post(RULES + "/users", json=[{"username": "zed", "rules": rules}]).status_code == 204
    shown = api.get(RULES + "/users/zed").json()["rules"]
    assert shown[1] == {"topic": "t/1", "permission": "deny", "action": "subscribe",
                        "qos": [1], "retain": "all"}  # fmt: skip
    v4 = api.get("/api/v4/acl/username/zed").json()["data"]
    # 4.x lists a target's rules newest first, ties (rules stored together) by the record
    # (emqx_acl_mnesia_db:comparing/2): the same rules, in 4.x's order.
    assert sorted((r["action"], r["access"]) for r in v4) == [("pub", "allow"), ("sub", "deny")]
    clash = api.post(RULES + "/users", json=[{"username": "zed", "rules": rules}])
    assert clash.json() == {"code": "ALREADY_EXISTS", "message": "User 'zed' already exist"}
    assert api.delete(RULES + "/users/zed").status_code == 204
    assert api.get(RULES + "/users/zed").status_code == 404


def test_rules_routes_need_the_built_in_source(api: TestClient) -> None:
    purge = api.delete(RULES)
    assert purge.status_code == 400  # the source is enabled
    assert api.delete("/api/v5/authorization/sources/built_in_database").status_code == 204
    gone = api.get(RULES + "/all")
    assert gone.json() == {"code": "NOT_FOUND", "message": "Not found: built_in_database"}
    missing = api.delete(RULES)
    assert missing.status_code == 404 and missing.json()["code"] == "BAD_REQUEST"


def test_sources_settings_and_the_file_rules(api: TestClient) -> None:
    sources = api.get("/api/v5/authorization/sources").json()["sources"]
    assert [s["type"] for s in sources] == ["built_in_database", "file"]
    assert "{allow, all}." in sources[1]["rules"]
    moved = api.post("/api/v5/authorization/sources/file/move", json={"position": "front"})
    assert moved.status_code == 204
    assert api.get("/api/v5/authorization/sources").json()["sources"][0]["type"] == "file"
    mismatch = api.put("/api/v5/authorization/sources/file", json={"type": "http"})
    assert mismatch.json() == {"code": "BAD_REQUEST", "message": "Type mismatch"}
    settings = {"no_match": "deny", "deny_action": "disconnect", "cache": {"enable": False}}
    now = api.put("/api/v5/authorization/settings", json=settings).json()
    assert now["no_match"] == "deny" and now["cache"]["enable"] is False
    assert now["cache"]["max_size"] == 32


def test_import_users_from_json_and_csv(api: TestClient, world: World) -> None:
    listed = [{"user_id": "imp-1", "password": "x"}]
    assert api.post(DB + "/import_users?type=plain", json=listed).status_code == 204
    csv = b"user_id,password,is_superuser\nimp-2,pw,true\n"
    sent = api.post(DB + "/import_users?type=plain", files={"filename": ("users.csv", csv)})
    assert sent.status_code == 204
    assert world.auth_db.user("username", "imp-2").is_superuser is True


def test_a_malformed_multipart_import_is_bad_input_not_a_crash(api: TestClient) -> None:
    """The robustness profile sent this body; Starlette's form parser raised (500)."""
    boundary = "ae52e0a3d939e41f8657653ebba7d230"
    body = f"--{boundary}\r\n78583--{boundary}--\r\n".encode()
    answer = api.post(
        "/api/v5/authentication/password_based:built_in_database/import_users",
        params={"type": "hash"},
        content=body,
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
    )
    assert answer.status_code == 400 and answer.json()["code"] == "BAD_REQUEST"
