from __future__ import annotations

import re
from datetime import datetime, timezone
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World, build_world
from mqtt_api_kit.mock_server import MockConfig, create_app

from ...support import AUTH_HEADERS

TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


def ids(body: dict) -> list[str]:
    return [c["clientid"] for c in body["data"]]


def seconds(text: str) -> int:
    when = datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
    return int(when.timestamp())


@pytest.mark.read_only
def test_list_is_paged_with_a_true_count(client: TestClient, world: World) -> None:
    body = client.get("/api/v4/clients", params={"_page": 2, "_limit": 50}).json()
    assert body["code"] == 0
    assert body["meta"] == {"page": 2, "limit": 50, "count": 120, "hasnext": True}
    expected = [c.clientid for c in world.clients()][50:100]
    assert ids(body) == expected
    last = client.get("/api/v4/clients", params={"_page": 3, "_limit": 50}).json()
    assert len(last["data"]) == 20 and last["meta"]["hasnext"] is False


@pytest.mark.read_only
def test_default_limit_is_max_row_limit(client: TestClient) -> None:
    body = client.get("/api/v4/clients").json()
    assert body["meta"] == {"page": 1, "limit": 10000, "count": 120, "hasnext": False}
    assert len(body["data"]) == 120


@pytest.mark.read_only
def test_page_below_one_is_the_first_page_but_echoed(client: TestClient) -> None:
    first = client.get("/api/v4/clients", params={"_limit": 5}).json()
    zero = client.get("/api/v4/clients", params={"_page": 0, "_limit": 5}).json()
    assert zero["meta"]["page"] == 0 and ids(zero) == ids(first)


@pytest.mark.read_only
def test_client_object_is_faithful(client: TestClient, world: World) -> None:
    for row in client.get("/api/v4/clients").json()["data"]:
        source = world.client(row["clientid"])
        assert TIME.match(row["connected_at"]) and TIME.match(row["created_at"])
        assert row["connected"] is source.connected
        assert ("disconnected_at" in row) is (not source.connected)
        assert row["username"] == (source.username or "undefined")
        assert row["subscriptions_cnt"] == len(world.subscriptions_of(source.clientid))
        assert isinstance(row["port"], int) and row["node"] == source.node
        assert row["recv_msg"] == sum(row[f"recv_msg.qos{q}"] for q in range(3))


@pytest.mark.parametrize(
    ("param", "value_of"),
    [
        ("clientid", lambda c: c.clientid),
        ("username", lambda c: c.username),
        ("zone", lambda c: c.zone),
        ("ip_address", lambda c: c.ip_address),
        ("conn_state", lambda c: c.conn_state),
        ("clean_start", lambda c: str(c.clean_start).lower()),
        ("proto_name", lambda c: c.proto_name),
        ("proto_ver", lambda c: c.proto_ver),
    ],
)
@pytest.mark.read_only
def test_exact_filters(client: TestClient, world: World, param, value_of) -> None:
    sample = next(c for c in world.clients() if c.username)
    wanted = value_of(sample)
    body = client.get("/api/v4/clients", params={param: wanted, "_limit": 1000}).json()
    expected = [c.clientid for c in world.clients() if value_of(c) == wanted]
    assert ids(body) == expected and expected
    assert body["meta"]["count"] == -1


@pytest.mark.read_only
def test_like_filters_are_case_sensitive_substrings(client: TestClient, world: World) -> None:
    body = client.get("/api/v4/clients", params={"_like_clientid": "-"}).json()
    assert ids(body) == [c.clientid for c in world.clients() if "-" in c.clientid]
    upper = client.get("/api/v4/clients", params={"_like_clientid": "GW-"}).json()
    assert upper["data"] == []
    literal = client.get("/api/v4/clients", params={"_like_clientid": "*"}).json()
    assert literal["data"] == []
    # a client without a user name compares as the empty string
    every = client.get("/api/v4/clients", params={"_like_username": ""}).json()
    assert len(every["data"]) == 120


@pytest.mark.read_only
def test_time_ranges_are_unix_seconds(client: TestClient, world: World) -> None:
    times = sorted(c.created_at // 1000 for c in world.clients())
    low, high = times[30], times[80]
    body = client.get(
        "/api/v4/clients", params={"_gte_created_at": low, "_lte_created_at": high}
    ).json()
    assert body["data"] and all(low <= seconds(c["created_at"]) <= high for c in body["data"])
    # the bound is seconds × 1000 against millisecond times, so a client created at
    # `high` + 0.5 s is outside `_lte_created_at=high`, as on the broker
    expected = [c.clientid for c in world.clients() if low * 1000 <= c.created_at <= high * 1000]
    assert ids(body) == expected
    after = client.get("/api/v4/clients", params={"_gte_connected_at": times[-1] + 86400}).json()
    assert after["data"] == [] and after["meta"] == {
        "page": 1,
        "limit": 10000,
        "count": -1,
        "hasnext": False,
    }


@pytest.mark.read_only
def test_mqueue_ranges(client: TestClient, world: World) -> None:
    body = client.get("/api/v4/clients", params={"_gte_mqueue_len": 1}).json()
    assert ids(body) == [c.clientid for c in world.clients() if c.mqueue_len >= 1]
    body = client.get("/api/v4/clients", params={"_lte_mqueue_dropped": 0}).json()
    assert ids(body) == [c.clientid for c in world.clients() if c.mqueue_dropped == 0]


@pytest.mark.read_only
def test_unknown_params_are_ignored_and_keep_the_count(client: TestClient) -> None:
    body = client.get("/api/v4/clients", params={"_": 1700000000000, "tyop": "x"}).json()
    assert body["code"] == 0 and body["meta"]["count"] == 120


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"_page": "abc"}, 'Can\'t convert <<"abc">> to integer type'),
        ({"_limit": "1.5"}, 'Can\'t convert <<"1.5">> to integer type'),
        ({"_limit": "-1"}, '_limit must not be negative: <<"-1">>'),
        ({"proto_ver": "four"}, 'Can\'t convert <<"four">> to integer type'),
        ({"ip_address": "10.0.x.1"}, 'Can\'t convert <<"10.0.x.1">> to ip type'),
        (
            {"_gte_created_at": "2024-01-01T00:00:00Z"},
            'Can\'t convert <<"2024-01-01T00:00:00Z">> to timestamp type',
        ),
    ],
)
@pytest.mark.read_only
def test_bad_values_get_code_108_not_a_crash(client: TestClient, query, message) -> None:
    r = client.get("/api/v4/clients", params=query)
    assert r.status_code == 200
    assert r.json() == {"code": 108, "message": message}


@pytest.mark.read_only
def test_node_scoped_list(client: TestClient, world: World) -> None:
    node = world.nodes[1].name
    body = client.get(f"/api/v4/nodes/{node}/clients").json()
    assert ids(body) == [c.clientid for c in world.clients(node)]
    assert body["meta"]["count"] == world.client_count(node)


@pytest.mark.read_only
def test_unknown_node_is_not_a_route(client: TestClient) -> None:
    for path in ("/api/v4/nodes/emqx@10.9.9.9/clients", "/api/v4/nodes/emqx%4010.0.0.1/clients"):
        r = client.get(path)
        assert r.status_code == 404 and r.text == "Not found."


@pytest.mark.read_only
def test_lookup_is_an_array_and_empty_when_unknown(client: TestClient, world: World) -> None:
    some = next(world.clients())
    body = client.get(f"/api/v4/clients/{quote(some.clientid, safe='')}").json()
    assert ids(body) == [some.clientid]
    assert client.get("/api/v4/clients/nobody-here").json() == {"code": 0, "data": []}
    node = some.node
    other = next(n.name for n in world.nodes if n.name != node)
    assert ids(client.get(f"/api/v4/nodes/{node}/clients/{quote(some.clientid, safe='')}").json())
    assert (
        client.get(f"/api/v4/nodes/{other}/clients/{quote(some.clientid, safe='')}").json()["data"]
        == []
    )
    assert client.get(f"/api/v4/nodes/all/clients/{some.clientid}").json()["data"] == []


@pytest.mark.read_only
def test_percent_encoded_slash_stays_in_the_client_id(client: TestClient, world: World) -> None:
    slashed = next(c for c in world.clients() if "/" in c.clientid)
    body = client.get("/api/v4/clients/" + quote(slashed.clientid, safe="")).json()
    assert ids(body) == [slashed.clientid]
    assert client.get("/api/v4/clients/" + slashed.clientid).status_code == 404


@pytest.mark.read_only
def test_username_lookup_returns_every_match(world: World) -> None:
    world = build_world(seed=3, clients=400)
    c = TestClient(create_app(world, MockConfig()), headers=AUTH_HEADERS)
    names = [x.username for x in world.clients() if x.username]
    shared = next((n for n in names if names.count(n) > 1), names[0])
    body = c.get(f"/api/v4/clients/username/{shared}").json()
    assert ids(body) == [x.clientid for x in world.clients() if x.username == shared]
    node = world.nodes[0].name
    body = c.get(f"/api/v4/nodes/{node}/clients/username/{shared}").json()
    assert ids(body) == [x.clientid for x in world.clients(node) if x.username == shared]


def test_kick_removes_client_and_subscriptions(client: TestClient, world: World) -> None:
    victim = next(c for c in world.clients() if world.subscriptions_of(c.clientid))
    path = "/api/v4/clients/" + quote(victim.clientid, safe="")
    assert client.delete(path).json() == {"code": 0}
    assert client.get(path).json() == {"code": 0, "data": []}
    assert victim.clientid not in ids(client.get("/api/v4/clients").json())
    assert client.get("/api/v4/clients").json()["meta"]["count"] == 119
    assert not world.subscriptions_of(victim.clientid)
    # 4.3.9+: kicking an unknown client reports success
    assert client.delete(path).json() == {"code": 0}


def test_acl_cache_read_and_clean(client: TestClient, world: World) -> None:
    cached = next(c for c in world.clients() if c.acl_cache)
    path = f"/api/v4/clients/{quote(cached.clientid, safe='')}/acl_cache"
    entries = client.get(path).json()["data"]
    assert len(entries) == len(cached.acl_cache)
    assert {e["result"] for e in entries} <= {"allow", "deny"}
    assert client.delete(path).json() == {"code": 0}
    assert client.get(path).json() == {"code": 0, "data": []}
    missing = {"code": 112, "message": "not_found"}
    assert client.get("/api/v4/clients/nobody/acl_cache").json() == missing
    assert client.delete("/api/v4/clients/nobody/acl_cache").json() == missing


def test_same_seed_gives_byte_identical_answers() -> None:
    def fetch() -> bytes:
        app = create_app(None, MockConfig(seed=99, clients=300))
        return TestClient(app, headers=AUTH_HEADERS).get("/api/v4/clients?_limit=300").content

    assert fetch() == fetch()


@pytest.mark.read_only
def test_unknown_route_and_method_are_plain_404(client: TestClient) -> None:
    for r in (client.get("/api/v4/nothing"), client.post("/api/v4/clients")):
        assert r.status_code == 404 and r.text == "Not found."
        assert r.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize("path", ["/api/v4/mqtt/publish", "/api/v4/banned", "/api/v4/rules"])
@pytest.mark.read_only
def test_a_body_that_is_not_json_is_the_frameworks_400(client: TestClient, path: str) -> None:
    for body in (b"\xff\xfe", b'{"topic":'):
        r = client.post(path, content=body, headers={"Content-Type": "application/json"})
        assert (r.status_code, r.text) == (400, "Bad Request")
        assert r.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize("body", [b'"text"', b"[null, null]", b"7", b"null", b""])
@pytest.mark.read_only
def test_limit_bodies_without_an_object_have_none_of_the_keys(client: TestClient, body) -> None:
    for what in ("ratelimit", "quota"):
        r = client.post(f"/api/v4/clients/nobody/{what}", content=body)
        assert r.json() == {"code": 0}  # even for an unknown client, as 4.4.19 does
