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
    created = world.auth_db.user("username", "u1").created_at
    assert shown == {"username": "u1", "created_at": created}  # format/1: no password
    assert world.auth_db.authenticates("username", "u1", "p1")
    assert client.post(
        "/api/v4/auth_username", json={"username": "u1", "password": "x"}
    ).json() == {"message": "existed"}
    assert client.put("/api/v4/auth_username/u1", json={"password": "p2"}).json() == {"code": 0}
    assert world.auth_db.authenticates("username", "u1", "p2")
    assert not world.auth_db.authenticates("username", "u1", "p1")
    assert client.get("/api/v4/auth_username/u1").json()["data"]["created_at"] == created
    assert client.put("/api/v4/auth_username/nobody", json={"password": "p"}).json() == {
        "message": "noexisted"
    }
    assert client.put("/api/v4/auth_username/u1", json={}).json() == {"message": "password"}
    assert client.put("/api/v4/auth_username/u1").json() == {"message": "password"}
    assert client.delete("/api/v4/auth_username/u1").json() == {"code": 0}
    assert client.get("/api/v4/auth_username/u1").json() == {"code": 0, "data": {}}
    assert client.delete("/api/v4/auth_username/u1").json() == {"code": 0}


def test_single_add_names_the_failed_field(client: TestClient) -> None:
    for body, word in (
        ({}, "login"),
        ({"clientid": "", "password": "p"}, "login"),
        ({"clientid": 5, "password": "p"}, "login"),
        ({"clientid": "c"}, "password"),
        ({"clientid": "c", "password": None}, "password"),
    ):
        assert client.post("/api/v4/auth_clientid", json=body).json() == {"message": word}


def test_batch_add_reports_each_item_and_keeps_existing(client: TestClient, world: World) -> None:
    existing = next(world.auth_db.users("clientid"))
    before = existing.password_hash
    body = [
        {"clientid": "dev-new", "password": "pw"},
        {"clientid": existing.login, "password": "other"},
        {"clientid": "dev-nopass"},
        {"password": "no-login"},
        {"clientid": None, "password": "p"},
    ]
    answer = client.post("/api/v4/auth_clientid", json=body).json()
    assert answer == {
        "code": 0,
        "data": {
            "dev-new": "ok",
            existing.login: "{error,existed}",
            "dev-nopass": "{error,password}",
            "undefined": "{error,login}",
            "null": "{error,login}",
        },
    }
    assert world.auth_db.user("clientid", existing.login).password_hash == before
    assert world.auth_db.user("clientid", "dev-nopass") is None


def test_batch_answer_keeps_the_first_outcome_of_a_login_sent_twice(client: TestClient) -> None:
    body = [{"username": "twice", "password": "a"}, {"username": "twice", "password": "b"}]
    answer = client.post("/api/v4/auth_username", json=body).json()
    assert answer == {"code": 0, "data": {"twice": "ok"}}


def test_crashing_bodies_are_refused_by_the_document(client: TestClient) -> None:
    for body in ([], [5], [{"clientid": 7, "password": "p"}]):
        assert client.post("/api/v4/auth_clientid", json=body).json()["code"] == 108


@pytest.mark.read_only
def test_lists_are_paged_style_one_and_filters_count_minus_one(
    client: TestClient, world: World
) -> None:
    creds = list(world.auth_db.users("username"))
    total = len(creds)
    page = client.get("/api/v4/auth_username", params={"_page": 2, "_limit": 5}).json()
    assert page["meta"] == {"page": 2, "limit": 5, "count": total, "hasnext": total > 10}
    newest_first = sorted(creds[5:10], key=lambda c: c.created_at, reverse=True)
    assert page["data"] == [{"username": c.login, "created_at": c.created_at} for c in newest_first]
    needle = creds[0].login[:3]
    found = client.get("/api/v4/auth_username", params={"_like_username": needle}).json()
    assert found["meta"]["count"] == -1
    assert {r["username"] for r in found["data"]} == {c.login for c in creds if needle in c.login}
    exact = client.get(
        "/api/v4/auth_username", params={"username": creds[1].login, "_like_username": "zzz"}
    ).json()
    assert [r["username"] for r in exact["data"]] == [creds[1].login]
    assert exact["meta"]["count"] == -1


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


def test_pubsub_is_stored_as_pub_and_sub_and_merges_per_action(client: TestClient) -> None:
    """emqx_acl_mnesia_db: normalize_rule/1 splits pubsub, merge_rule/2 replaces per action."""
    base = {"clientid": "mix", "topic": "topic/mix"}
    client.post("/api/v4/acl", json={**base, "action": "pubsub", "access": "allow"})
    rows = client.get("/api/v4/acl/clientid/mix").json()["data"]
    assert sorted((r["action"], r["access"]) for r in rows) == [("pub", "allow"), ("sub", "allow")]
    client.post("/api/v4/acl", json={**base, "action": "pub", "access": "deny"})
    rows = client.get("/api/v4/acl/clientid/mix").json()["data"]
    assert [(r["action"], r["access"]) for r in rows] == [("pub", "deny"), ("sub", "allow")]
    client.delete(f"/api/v4/acl/clientid/mix/topic/{quote('topic/mix', safe='')}")
    assert client.get("/api/v4/acl/clientid/mix").json()["data"] == []


def test_acl_batch_answers_in_reverse_and_prints_the_failed_check(client: TestClient) -> None:
    body = [
        {"clientid": "c1", "topic": "t/1", "action": "sub", "access": "allow"},
        {"topic": "t/2", "action": "jump", "access": "allow"},
    ]
    data = client.post("/api/v4/acl", json=body).json()["data"]
    assert [d["result"] for d in data] == ["{error,action}", "ok"]
    assert data[0]["all"] == "$all" and data[1]["clientid"] == "c1"


def test_a_refused_rule_is_the_printed_add_term(client: TestClient) -> None:
    single = client.post("/api/v4/acl", json={"topic": "t", "action": "pub", "access": "maybe"})
    assert single.json() == {
        "message": '{add,#{access => <<"maybe">>,action => <<"pub">>,all => \'$all\','
        'result => <<"{error,access}">>,topic => <<"t">>}}'
    }
    missing = client.post("/api/v4/acl", json={"clientid": "c"}).json()
    assert missing == {
        "message": '{add,#{access => undefined,action => undefined,clientid => <<"c">>,'
        'result => <<"{error,topic}">>,topic => undefined}}'
    }
    both = {"clientid": "c", "username": "u", "topic": "t", "action": "pub", "access": "allow"}
    assert client.post("/api/v4/acl", json=both).json()["code"] == 108  # the broker: 500


def test_acl_lists_page_without_hasnext_and_count_the_matches(
    client: TestClient, world: World
) -> None:
    rows = list(world.auth_db.acl_rules("clientid"))
    answer = client.get("/api/v4/acl/clientid", params={"_limit": 3}).json()
    assert answer["meta"] == {"page": 1, "limit": 3, "count": len(rows)}
    subs = client.get("/api/v4/acl/clientid", params={"action": "sub"}).json()
    assert subs["meta"]["count"] == sum(1 for r in rows if r.action == "sub")
    assert client.get("/api/v4/acl/$all").json()["meta"]["limit"] == 50


def test_all_rules_have_their_own_list(client: TestClient, world: World) -> None:
    client.post("/api/v4/acl", json={"topic": "x/#", "action": "pubsub", "access": "deny"})
    rows = client.get("/api/v4/acl/$all").json()["data"]
    assert {"all": "$all", "topic": "x/#", "action": "pub", "access": "deny"} in rows
    assert {"all": "$all", "topic": "x/#", "action": "sub", "access": "deny"} in rows
    assert client.delete(f"/api/v4/acl/$all/topic/{quote('x/#', safe='')}").json() == {"code": 0}
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
        {"username": "test3", "topic": "test", "action": "sub", "access": "deny"},
        {"username": "test3", "topic": "test", "action": "pub", "access": "deny"},
    ]
    rows = client.get("/api/v4/emqx_acl", params={"_limit": 1000}).json()["data"]
    assert {"login": "test3", "topic": "test", "action": "pub", "allow": False} in rows
    assert client.delete("/api/v4/emqx_acl/test3/test").json() == {"code": 0}
    assert world.auth_db.acl_of("username", "test3") == []


def test_writes_move_the_world_revision(client: TestClient, world: World) -> None:
    before = world.revision
    client.post("/api/v4/auth_clientid", json={"clientid": "rev", "password": "p"})
    assert world.revision > before
