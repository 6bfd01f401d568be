"""Cursor paging of `GET /mqtt/clients`: complete, duplicate-free, tamper-proof, expiring."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World, build_world
from mqtt_api_kit.mock_server import MockConfig, create_app

from .conftest import FakeClock

LIST = "/api/v1/mqtt/clients"


def walk(client: TestClient, limit: int) -> tuple[list[str], int]:
    """Follow `_links.next` from the first page: (ids in order, pages)."""
    ids: list[str] = []
    url: str | None = f"{LIST}?limit={limit}"
    pages = 0
    while url is not None:
        response = client.get(url)
        assert response.status_code == 200, response.text
        body = response.json()
        assert len(body["items"]) <= limit
        ids += [item["id"] for item in body["items"]]
        url = body.get("_links", {}).get("next")
        pages += 1
    return ids, pages


def cursor_of(next_url: str) -> str:
    return parse_qs(urlsplit(next_url).query)["cursor"][0]


@pytest.fixture(scope="module")
def big() -> tuple[World, TestClient]:
    world = build_world(seed=3, clients=10_000, nodes=3)
    return world, TestClient(create_app(world, MockConfig()))


def test_walk_over_10000_clients_is_complete_and_duplicate_free(big) -> None:
    world, client = big
    started = time.perf_counter()
    ids, pages = walk(client, 50)
    elapsed = time.perf_counter() - started
    assert len(ids) == len(set(ids)) == 10_000
    assert set(ids) == {c.clientid for c in world.clients()}
    assert pages == 200
    print(f"cursor walk: 10000 clients, {pages} pages of 50, {elapsed:.2f} s")


@pytest.mark.parametrize("limit", [50, 77, 2500])
@pytest.mark.read_only
def test_walks_with_any_limit_agree(hive: TestClient, world: World, limit: int) -> None:
    ids, pages = walk(hive, limit)
    assert ids == [c.clientid for c in world.clients()]
    assert pages == -(-world.client_count() // limit)


@pytest.mark.read_only
def test_default_page_is_500_and_last_page_has_no_next(hive: TestClient, world: World) -> None:
    body = hive.get(LIST).json()
    assert len(body["items"]) == world.client_count() == 120
    assert "_links" not in body


@pytest.mark.read_only
def test_next_is_a_relative_url_carrying_the_limit(hive: TestClient) -> None:
    nxt = hive.get(LIST, params={"limit": 50}).json()["_links"]["next"]
    assert nxt.startswith("/api/v1/mqtt/clients?cursor=")
    assert parse_qs(urlsplit(nxt).query)["limit"] == ["50"]


def test_same_world_same_cursor() -> None:
    """Cursors are deterministic: the same seed answers byte for byte the same."""
    a = TestClient(create_app(build_world(seed=7, clients=120, nodes=3)))
    b = TestClient(create_app(build_world(seed=7, clients=120, nodes=3)))
    assert a.get(LIST, params={"limit": 50}).content == b.get(LIST, params={"limit": 50}).content


@pytest.mark.parametrize(
    "tamper",
    [
        lambda c: c[:-1],  # truncated
        lambda c: c[:-2] + ("A" if c[-2] != "A" else "B") + c[-1],  # one character changed
        lambda c: c[:4] + ("Z" if c[4] != "Z" else "Y") + c[5:],  # the offset changed
        lambda c: c.replace("-", "+").replace("_", "/") + "==",  # a look-alike spelling
        lambda c: "not-a-cursor",
        lambda c: "",
    ],
)
@pytest.mark.read_only
def test_a_tampered_cursor_is_400(hive: TestClient, tamper) -> None:
    cursor = cursor_of(hive.get(LIST, params={"limit": 50}).json()["_links"]["next"])
    response = hive.get(LIST, params={"limit": 50, "cursor": tamper(cursor)})
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["title"] == "Parameter invalid" and "'cursor'" in error["detail"]


@pytest.mark.read_only
def test_a_cursor_expires_after_its_ttl(hive: TestClient, clock: FakeClock) -> None:
    nxt = hive.get(LIST, params={"limit": 50}).json()["_links"]["next"]
    clock.now += 59
    assert hive.get(nxt).status_code == 200
    clock.now += 2
    response = hive.get(nxt)
    assert response.status_code == 410
    assert response.json()["errors"][0]["title"] == "Cursor not valid anymore"


@pytest.mark.parametrize(
    "change",
    [
        lambda c, w: c.delete("/api/v4/clients/" + quote(next(w.clients()).clientid, safe="")),
        lambda c, w: c.delete(f"/api/v1/mqtt/clients/{quote(next(w.clients()).clientid, safe='')}"),
    ],
    ids=["kick-through-emqx-v4", "invalidate-through-hivemq"],
)
def test_a_walk_goes_on_across_client_changes(hive: TestClient, world: World, change) -> None:
    """Clients coming and going do not break HiveMQ's iteration: the walk goes on, and every
    client present throughout is seen exactly once (hivemq/cursor.py)."""
    before = {c.clientid for c in world.clients()}
    first = hive.get(LIST, params={"limit": 50}).json()
    assert change(hive, world).status_code in (200, 204)
    ids = [item["id"] for item in first["items"]]
    url = first["_links"]["next"]
    while url is not None:
        response = hive.get(url)
        assert response.status_code == 200, response.text
        ids += [item["id"] for item in response.json()["items"]]
        url = response.json().get("_links", {}).get("next")
    throughout = before & {c.clientid for c in world.clients()}
    assert len(throughout) == 119
    assert len(ids) == len(set(ids)) and throughout <= set(ids)
    # Starting again sees the change.
    assert len(walk(hive, 50)[0]) == 119


def test_a_cursor_expires_when_the_topology_changes(hive: TestClient, world: World) -> None:
    nxt = hive.get(LIST, params={"limit": 50}).json()["_links"]["next"]
    stopped = world.nodes[-1].name
    assert world.cluster.set_running(stopped, False)
    response = hive.get(nxt)
    assert response.status_code == 410
    assert response.json()["errors"][0]["title"] == "Cursor not valid anymore"
    ids, _ = walk(hive, 50)
    assert set(ids) == {c.clientid for c in world.clients()}
    assert all(world.client(i).node != stopped for i in ids)


def test_a_cursor_expires_when_the_world_is_reset(hive: TestClient, world: World) -> None:
    nxt = hive.get(LIST, params={"limit": 50}).json()["_links"]["next"]
    assert hive.post("/__mock/reset").status_code == 200
    assert hive.get(nxt).status_code == 410


def test_a_cursor_of_an_earlier_process_is_410_not_400() -> None:
    first = TestClient(create_app(build_world(seed=7, clients=120, nodes=3)))
    nxt = first.get(LIST, params={"limit": 50}).json()["_links"]["next"]
    restarted = TestClient(create_app(build_world(seed=7, clients=120, nodes=3)))
    assert restarted.get(nxt).status_code == 410


def test_issued_tokens_are_bounded_and_the_oldest_forgotten_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from mqtt_api_kit.mock_server.hivemq import cursor

    monkeypatch.setattr(cursor, "MAX_ISSUED", 50)
    now = [0.0]
    cursors = cursor.Cursors(seed=1, ttl=10, clock=lambda: now[0])
    walk = cursors.begin(("a", "b"), era=1)
    tokens = [cursors.issue(walk, offset) for offset in range(120)]
    assert len(cursors._issued) == 50  # the newest, however fast they are issued
    with pytest.raises(cursor.ExpiredCursor):
        cursors.resolve(tokens[0], era=1)
    assert cursors.resolve(tokens[-1], era=1) == (walk, 119)
    now[0] = 11.0  # past the TTL: the next issue forgets every older token
    fresh = cursors.issue(walk, 0)
    assert list(cursors._issued) == [fresh]
