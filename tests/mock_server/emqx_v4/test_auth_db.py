"""Built-in auth database: CE routes and the EMQX Cloud names of the same tables."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World


def test_username_crud_round_trip(client: TestClient, world: World) -> None:
    assert client.post(
        "/api/v4/auth_username", json={"username": "u1", "password": "p1"}
    ).json() == {"code": 0}
    shown = client.get("/api/v4/auth_username/u1").json()["data"]
    assert shown["username"] == "u1" and shown["password"] != "p1" and len(shown["password"]) == 64
    assert client.post(
        "/api/v4/auth_username", json={"username": "u1", "password": "x"}
    ).json() == {"message": "existed"}
    assert client.put("/api/v4/auth_username/u1", json={"password": "p2"}).json() == {"code": 0}
    assert client.get("/api/v4/auth_username/u1").json()["data"]["password"] != shown["password"]
    assert client.put("/api/v4/auth_username/nobody", json={"password": "p"}).json() == {
        "message": "noexisted"
    }
    assert client.put("/api/v4/auth_username/u1", json={}).json() == {"message": "password"}
    assert client.delete("/api/v4/auth_username/u1").json() == {"code": 0}
    assert client.get("/api/v4/auth_username/u1").json() == {"code": 0, "data": {}}
    assert client.delete("/api/v4/auth_username/u1").json() == {"code": 0}


def test_batch_add_reports_each_item_and_keeps_existing(client: TestClient, world: World) -> None:
    existing = next(world.auth_db.users("clientid"))
    before = existing.password_hash
    body = [
        {"clientid": "dev-new", "password": "pw"},
        {"clientid": existing.login, "password": "other"},
        {"clientid": "dev-nopass"},
    ]
    answer = client.post("/api/v4/auth_clientid", json=body).json()
    assert answer == {
        "code": 0,
        "data": {"dev-new": "ok", existing.login: "existed", "dev-nopass": "password"},
    }
    assert world.auth_db.user("clientid", existing.login).password_hash == before
    assert world.auth_db.user("clientid", "dev-nopass") is None


@pytest.mark.read_only
def test_lists_are_paged_style_one_and_like_filters_count_minus_one(
    client: TestClient, world: World
) -> None:
    total = len(list(world.auth_db.users("username")))
    page = client.get("/api/v4/auth_username", params={"_page": 2, "_limit": 5}).json()
    assert page["meta"] == {"page": 2, "limit": 5, "count": total, "hasnext": total > 10}
    names = [c.login for c in world.auth_db.users("username")]
    assert [r["username"] for r in page["data"]] == names[5:10]
    needle = names[0][:3]
    found = client.get("/api/v4/auth_username", params={"_like_username": needle}).json()
    assert found["meta"]["count"] == -1
    assert [r["username"] for r in found["data"]] == [n for n in names if needle in n]


def test_acl_add_lookup_and_delete_with_encoded_topic(client: TestClient, world: World) -> None:
    rule = {"username": "alice", "topic": "a/b/#", "action": "pub", "access": "deny"}
    answer = client.post("/api/v4/acl", json=rule).json()
    assert answer == {"code": 0, "data": {**rule, "result": "ok"}}
    assert client.get("/api/v4/acl/username/alice").json()["data"] == [rule]
    replaced = {**rule, "access": "allow"}
    client.post("/api/v4/acl", json=replaced)
    assert client.get("/api/v4/acl/username/alice").json()["data"] == [replaced]
    path = f"/api/v4/acl/username/alice/topic/{quote('a/b/#', safe='')}"
    assert client.delete(path).json() == {"code": 0}
    assert client.get("/api/v4/acl/username/alice").json()["data"] == []


def test_acl_batch_answers_in_reverse_and_names_the_bad_field(client: TestClient) -> None:
    body = [
        {"clientid": "c1", "topic": "t/1", "action": "sub", "access": "allow"},
        {"topic": "t/2", "action": "jump", "access": "allow"},
    ]
    data = client.post("/api/v4/acl", json=body).json()["data"]
    assert [d["result"] for d in data] == ["action", "ok"]
    assert data[0]["all"] == "$all" and data[1]["clientid"] == "c1"
    single = client.post("/api/v4/acl", json={"topic": "t", "action": "pub", "access": "maybe"})
    assert single.json()["message"]["result"] == "access" and "code" not in single.json()


def test_all_rules_have_their_own_list(client: TestClient, world: World) -> None:
    client.post("/api/v4/acl", json={"topic": "x/#", "action": "pubsub", "access": "deny"})
    rows = client.get("/api/v4/acl/$all").json()["data"]
    assert {"all": "$all", "topic": "x/#", "action": "pubsub", "access": "deny"} in rows
    assert client.delete(f"/api/v4/acl/$all/topic/{quote('x/#', safe='')}").json() == {"code": 0}
    assert world.auth_db.acl_of("all", None) == list(world.auth_db.acl_rules("all"))
    assert all(r["topic"] != "x/#" for r in client.get("/api/v4/acl/$all").json()["data"])


def test_cloud_auth_user_shares_the_username_table(client: TestClient, world: World) -> None:
    body = [{"login": "test5", "password": "public", "is_superuser": False}]
    assert client.post("/api/v4/auth_user", json=body).json() == {
        "code": 0,
        "data": {"test5": "ok"},
    }
    assert client.get("/api/v4/auth_username/test5").json()["data"]["username"] == "test5"
    listed = client.get("/api/v4/auth_user", params={"_limit": 1000}).json()
    assert {"login", "password", "is_superuser"} <= set(listed["data"][0])
    assert "test5" in [u["login"] for u in listed["data"]]
    default = client.get("/api/v4/auth_user").json()["meta"]
    assert default["limit"] == 10 and "hasnext" not in default
    update = {"password": "public1", "is_superuser": True}
    assert client.put("/api/v4/auth_user/test5", json=update).json() == {"code": 0}
    assert world.auth_db.user("username", "test5").is_superuser is True
    assert client.delete("/api/v4/auth_user/test5").json() == {"code": 0}
    assert world.auth_db.user("username", "test5") is None


def test_cloud_acl_is_the_username_acl(client: TestClient, world: World) -> None:
    body = [{"topic": "test", "login": "test3", "allow": False, "action": "pubsub"}]
    assert client.post("/api/v4/emqx_acl", json=body).json() == {
        "code": 0,
        "data": {"test3": "ok"},
    }
    assert client.get("/api/v4/acl/username/test3").json()["data"] == [
        {"username": "test3", "topic": "test", "action": "pubsub", "access": "deny"}
    ]
    rows = client.get("/api/v4/emqx_acl", params={"_limit": 1000}).json()["data"]
    assert {"login": "test3", "topic": "test", "action": "pubsub", "allow": False} in rows
    assert client.delete("/api/v4/emqx_acl/test3/test").json() == {"code": 0}
    assert world.auth_db.acl_of("username", "test3") == []


def test_writes_move_the_world_revision(client: TestClient, world: World) -> None:
    before = world.revision
    client.post("/api/v4/auth_clientid", json={"clientid": "rev", "password": "p"})
    assert world.revision > before
