"""apps/emqx_auth_mnesia/test/emqx_auth_mnesia_SUITE.erl (v4.4.19), the HTTP cases.

Ported: t_clientid_rest_api, t_username_rest_api, t_password_hash. Not HTTP-level (they call
`emqx_auth_mnesia_cli`, `emqx_access_control` or MQTT only): t_boot, t_management,
t_auth_clientid_cli, t_auth_username_cli, t_will_message_connection_denied.
"""

from __future__ import annotations

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.fixtures.access import authenticate

from .broker import Api, decode, get_http_data

CLIENTID = "clientid_for_ct"
USERNAME = "username_for_ct"
PASSWORD = "password"
NPASSWORD = "new_password"


def clean_all_users(world: World) -> None:
    """`clean_all_users/0`: the suite empties `emqx_user` with mnesia:dirty_delete."""
    for kind in ("clientid", "username"):
        for cred in list(world.auth_db.users(kind)):
            world.auth_db.remove_user(kind, cred.login)


def test_t_clientid_rest_api(api: Api, world: World) -> None:
    """emqx_auth_mnesia_SUITE.erl, t_clientid_rest_api."""
    clean_all_users(world)

    result1 = api.get(["auth_clientid"])
    decoded = decode(result1)
    assert decoded["data"] == [] and decoded["meta"]["count"] == 0

    api.post(["auth_clientid"], {"clientid": CLIENTID, "password": PASSWORD})

    path = ["auth_clientid/" + CLIENTID]
    api.put(path, {"clientid": CLIENTID, "password": NPASSWORD})

    result2 = api.get(path)
    assert get_http_data(result2)["clientid"] == CLIENTID

    params3 = [
        {"clientid": CLIENTID, "password": PASSWORD},
        {"clientid": "clientid1", "password": PASSWORD},
        {"clientid": "client2", "password": PASSWORD},
    ]
    data3 = get_http_data(api.post(["auth_clientid"], params3))
    assert data3[CLIENTID] == "{error,existed}"
    assert data3["clientid1"] == "ok"
    assert data3["client2"] == "ok"

    result4 = api.get(["auth_clientid"])
    decoded4 = decode(result4)
    assert decoded4["meta"]["count"] == 3
    assert sorted(c["clientid"] for c in decoded4["data"]) == ["client2", "clientid1", CLIENTID]

    usernames = [
        {"username": "username1", "password": PASSWORD},
        {"username": "username2", "password": PASSWORD},
    ]
    api.post(["auth_username"], usernames)

    # the count clientid is not affected by username count.
    assert api.get(["auth_clientid"]) == result4

    decoded42 = decode(api.get(["auth_username"]))
    assert decoded42["meta"]["count"] == 2
    assert sorted(u["username"] for u in decoded42["data"]) == ["username1", "username2"]

    assert len(get_http_data(api.get(["auth_clientid?_like_clientid=id"]))) == 2
    assert len(get_http_data(api.get(["auth_clientid?_like_clientid=x"]))) == 0

    api.delete(path)
    assert isinstance(get_http_data(api.get(path)), dict)  # ?assertMatch(#{}, …)


def test_t_username_rest_api(api: Api, world: World) -> None:
    """emqx_auth_mnesia_SUITE.erl, t_username_rest_api."""
    clean_all_users(world)

    assert get_http_data(api.get(["auth_username"])) == []

    api.post(["auth_username"], {"username": USERNAME, "password": PASSWORD})

    path = ["auth_username/" + USERNAME]
    api.put(path, {"username": USERNAME, "password": NPASSWORD})

    assert get_http_data(api.get(path))["username"] == USERNAME

    params3 = [
        {"username": USERNAME, "password": PASSWORD},
        {"username": "username1", "password": PASSWORD},
        {"username": "username2", "password": PASSWORD},
    ]
    data3 = get_http_data(api.post(["auth_username"], params3))
    assert data3[USERNAME] == "{error,existed}"
    assert data3["username1"] == "ok"
    assert data3["username2"] == "ok"

    assert len(get_http_data(api.get(["auth_username"]))) == 3

    assert len(get_http_data(api.get(["auth_username?_like_username=for"]))) == 1
    assert len(get_http_data(api.get(["auth_username?_like_username=x"]))) == 0

    api.delete(path)
    assert isinstance(get_http_data(api.get(path)), dict)  # ?assertMatch(#{}, …)


def test_t_password_hash(api: Api, world: World) -> None:
    """emqx_auth_mnesia_SUITE.erl, t_password_hash.

    The case restarts the plugin with `password_hash = plain`, adds a user over HTTP and
    authenticates it with `emqx_access_control:authenticate/1`. The world keeps the default
    sha256 only (a left-out step: no `application:set_env` over HTTP); the same HTTP call is
    made, and the world's `emqx_access_control:authenticate/1` (`fixtures/access.py`, what a
    real CONNECT runs) gives `auth_result := success` (which is never anonymous).
    """
    clean_all_users(world)
    api.post(["auth_username"], {"username": USERNAME, "password": PASSWORD})
    running = world.plugin_active("emqx_auth_mnesia")
    result = authenticate(world.auth_db, running, "", USERNAME, PASSWORD.encode())
    assert result == "success"
