"""lib-ce/emqx_dashboard/test/emqx_dashboard_SUITE.erl (emqx v4.4.19), the HTTP-level cases.

The suite talks to the dashboard listener (18083) as the dashboard user `admin`:`public`.
`emqx_dashboard_admin:add_user/3`, `remove_user/1`, `change_password/3` and `all_users/0`,
which t_admins_add_delete calls directly, are the world's console writes and table
(fixtures/console.py), which carry the same checks and messages.

Not ported, having no HTTP step: t_admins_persist_default_password (an application
restart), t_default_password_persists_after_leaving_cluster (a second node joining and
leaving), t_cli (the `admins` command), t_start_listener_failed_log (a listener bind error).
"""

from __future__ import annotations

import json

from mqtt_api_kit.fixtures.console import Refused

from ....support import basic
from .broker import Broker, fresh_broker

OVERVIEWS = (
    "alarms/activated",
    "alarms/deactivated",
    "banned",
    "brokers",
    "stats",
    "metrics",
    "listeners",
    "clients",
    "subscriptions",
    "routes",
    "plugins",
)


def dashboard() -> Broker:
    """init_per_suite: a fresh node, its dashboard holding only the default user."""
    b = fresh_broker()
    for name in [u for u in b.world.console.users if u != "admin"]:
        b.world.console.remove_user(name)
    return b


def request_dashboard(b: Broker, path: str, user: str = "admin", password: str = "public") -> bool:
    """request_dashboard/3: true for a 200 answer."""
    return b.http.get(f"/api/v4/{path}", headers=basic(user, password)).status_code == 200


def add_user(b: Broker, username: str, password: str, tags: str) -> str | None:
    """emqx_dashboard_admin:add_user/3: `ok` (None) or the reason of `{error, Reason}`."""
    try:
        b.world.console.add_user(username, password, tags)
    except Refused as refused:
        return str(refused)
    return None


def change_password(b: Broker, username: str, old: str, new: str) -> str | None:
    try:
        b.world.console.change_password(username, old, new)
    except Refused as refused:
        return str(refused)
    return None


def http(b: Broker, method: str, path: str, body: object = None) -> dict[str, object]:
    """http_get/http_put/http_post/http_delete: admin:public, a JSON body, `{ok, Body}`."""
    content = None if body is None else json.dumps(body).encode()
    headers = {**basic("admin", "public"), "Content-Type": "application/json"}
    answer = b.http.request(method, f"/api/v4/{path}", headers=headers, content=content)
    assert answer.status_code == 200, (method, path, answer.status_code)
    decoded: dict[str, object] = answer.json()
    return decoded


def test_t_overview() -> None:
    """t_overview: every overview list answers 200 to the default dashboard user."""
    b = dashboard()
    for overview in OVERVIEWS:
        assert request_dashboard(b, overview), overview


def test_t_admins_add_delete() -> None:
    """t_admins_add_delete."""
    b = dashboard()
    assert add_user(b, "", "password", "tag1") == "0 < Length =< 256"

    assert add_user(b, "badusername", "", "tag1") == "The password length: 8-64"
    assert add_user(b, "badusername", "p", "tag1") == "The password length: 8-64"
    p65 = "p" * 65
    assert add_user(b, "badusername", p65, "tag1") == "The password length: 8-64"
    p64 = "1" + "p" * 63
    assert add_user(b, "goodusername", p64, "tag1") is None
    assert b.world.console.remove_user("goodusername")

    assert add_user(b, "username1", "password1", "tag") is None
    assert add_user(b, "username2", "password2", "tag1") is None
    assert add_user(b, "1username1", "password1", "tag1") is None
    assert add_user(b, "u/sername1", "password1", "tag1") is not None
    assert add_user(b, "/username1", "password1", "tag1") is not None
    assert len(b.world.console.users) == 4
    assert b.world.console.remove_user("username2")
    assert b.world.console.remove_user("1username1")
    assert len(b.world.console.users) == 2
    assert change_password(b, "username1", "password1", "password") is not None
    assert change_password(b, "username1", "password1", "password+") is None
    assert request_dashboard(b, "brokers", "username1", "password+")

    assert b.world.console.remove_user("username1")
    assert request_dashboard(b, "brokers", "username1", "password+") is not True


def test_t_rest_api() -> None:
    """t_rest_api."""
    b = dashboard()
    users = http(b, "GET", "users")["data"]
    assert {"username": "admin", "tags": "administrator"} in users  # type: ignore[operator]

    error_res = http(b, "PUT", "change_pwd/admin", {"old_pwd": "public", "new_pwd": "simplepwd"})
    assert "message" in error_res

    for method, path, body in (
        ("PUT", "users/admin", {"tags": "a_new_tag"}),
        ("POST", "users", {"username": "username1", "password": "passwd+123"}),
        ("POST", "auth", {"username": "username1", "password": "passwd+123"}),
        ("DELETE", "users/username1", None),
        ("PUT", "change_pwd/admin", {"old_pwd": "public", "new_pwd": "newpwd+123"}),
        ("POST", "auth", {"username": "admin", "password": "newpwd+123"}),
    ):
        assert http(b, method, path, body) == {"code": 0}, (method, path)


def test_t_auth_exhaustive_attack() -> None:
    """t_auth_exhaustive_attack (in the module, though in no group of all/0): an unknown
    user and a wrong password get the same answer, so a login cannot probe for names."""
    b = dashboard()
    res0 = http(b, "POST", "auth", {"username": "invalid_login", "password": "newpwd"})
    res1 = http(b, "POST", "auth", {"username": "admin", "password": "invalid_password"})
    assert res0 == res1
