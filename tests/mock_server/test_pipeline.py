"""The request pipeline's rules (mock_server/pipeline.py), for every API of the registry:
credentials before anything but declared open routes, bodies bounded, unknown routes first."""

from __future__ import annotations

import re
from collections.abc import Container, Iterator

import httpx
import pytest
from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World, build_world
from mqtt_api_kit.mock_server import MockConfig, create_app
from mqtt_api_kit.mock_server.app import default_dialects
from mqtt_api_kit.openapi import document
from mqtt_api_kit.registry import APIS, Api

from ..support import AUTH, basic, serve

# Every API protected: HiveMQ's is open unless credentials are configured.
PROTECTED = MockConfig(hivemq_auth=AUTH)
NOT_JSON = b"\xff{ this is not JSON"
WRITES = ("post", "put", "patch", "delete")


def _open_routes(api: Api) -> Container[tuple[str, str]]:
    world = build_world(seed=1, clients=5)
    for factory in default_dialects():
        dialect = factory(world, PROTECTED)
        if dialect.api is api:
            return dialect.open_routes
    raise AssertionError(f"no dialect serves {api.name}")


def _write_operations(api: Api) -> Iterator[tuple[str, str]]:
    for path, item in document(api.document)["paths"].items():
        for method in WRITES:
            if method in item:
                yield method.upper(), path


@pytest.fixture(scope="module")
def anonymous() -> TestClient:
    return TestClient(create_app(build_world(seed=3, clients=30), PROTECTED))


@pytest.mark.parametrize("api", list(APIS.values()), ids=list(APIS))
def test_without_credentials_a_bad_body_is_refused_before_anything_else(
    api: Api, anonymous: TestClient
) -> None:
    open_routes = _open_routes(api)
    checked = 0
    for method, path in _write_operations(api):
        concrete = re.sub(r"\{[^}]+\}", "x", path)
        response = anonymous.request(
            method,
            api.base_path + concrete,
            content=NOT_JSON,
            headers={"content-type": "application/json"},
        )
        if (method, path) in open_routes:
            assert response.status_code != 401, (method, path)
            continue
        assert response.status_code == 401, (method, path, response.status_code, response.text)
        checked += 1
    assert checked >= 3, f"{api.name}: only {checked} write operations"
    unknown = anonymous.post(api.base_path + "/no/such/route", content=NOT_JSON)
    # EMQX 5 routes before it authorizes: its dialect declares unroutable requests open.
    expected_open = ("POST", "/no/such/route") in open_routes
    assert (unknown.status_code != 401) if expected_open else (unknown.status_code == 401)


def test_an_unknown_v2_route_with_a_bad_body_is_404_not_109(anonymous: TestClient) -> None:
    answer = anonymous.post("/api/v2/no/such/route", content=NOT_JSON, headers=basic(*AUTH))
    assert answer.status_code == 404 and answer.content == b""
    publish = anonymous.post("/api/v2/mqtt/publish", content=NOT_JSON, headers=basic(*AUTH))
    assert publish.json() == {"code": 109, "message": "Body not json"}


def test_a_stopped_plugins_route_is_404_before_its_body_is_read(world: World) -> None:
    app = TestClient(create_app(world, MockConfig()), headers=basic(*AUTH))
    node = world.running_nodes()[0].name
    assert app.put(f"/api/v4/nodes/{node}/plugins/emqx_rule_engine/unload").json()["code"] == 0
    answer = app.post("/api/v4/rules", content=NOT_JSON)
    assert answer.status_code == 404 and answer.text == "Not found."


# -- bounded bodies ---------------------------------------------------------------------------

TOO_LARGE = {
    "emqx-v4": (400, "text/plain"),  # minirest: the cut-short body does not parse
    "emqx-v2": (413, "text/plain"),
    "hivemq": (413, "application/json"),
    "emqx-v5": (413, "application/json"),  # the mock's cap; the broker's handler crashes
}
WRITE_PATHS = {
    "emqx-v4": "/mqtt/publish",
    "emqx-v2": "/mqtt/publish",
    "hivemq": "/data-hub/schemas",
    "emqx-v5": "/publish",
}


def _rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def _chunks(total: int, size: int = 1 << 16) -> Iterator[bytes]:
    chunk = b" " * size
    for _ in range(total // size):
        yield chunk


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    config = MockConfig(hivemq_auth=AUTH, max_body=64 * 1024)
    with serve(create_app(build_world(seed=3, clients=30), config)) as base:
        yield base


@pytest.mark.parametrize("name", sorted(APIS))
def test_an_oversized_body_is_refused_in_the_apis_words(name: str, served: str) -> None:
    api = APIS[name]
    url = served + api.base_path + WRITE_PATHS[name]
    status, media = TOO_LARGE[name]
    declared = httpx.post(url, content=b"[" + b" " * 200_000 + b"]", auth=AUTH, timeout=30)
    streamed = httpx.post(url, content=_chunks(2 << 20), auth=AUTH, timeout=30)  # no length
    for answer in (declared, streamed):
        assert answer.status_code == status, answer.text
        assert answer.headers["content-type"].startswith(media)
    fits = httpx.post(url, content=b"{}", auth=AUTH, timeout=30)
    assert fits.status_code not in (413, 401)


def test_big_uploads_do_not_grow_the_mock(served: str) -> None:
    """Neither an anonymous upload (refused from its headers) nor an authenticated one past the
    cap is buffered: memory stays flat while 4 × 40 MB stream in."""
    before = _rss_kib()
    for auth in (None, AUTH):
        for _ in range(4):
            answer = httpx.post(
                served + "/api/v4/mqtt/publish", content=_chunks(40 << 20), auth=auth, timeout=60
            )
            assert answer.status_code in (400, 401)
    grown_mib = (_rss_kib() - before) / 1024
    assert grown_mib < 25, f"the mock grew by {grown_mib:.0f} MiB"


def test_the_order_the_front_end_stages_need() -> None:
    """The journal sees every answer; a preflight is answered before authentication; the
    world lives and the `__` parameters are gone before anything reads them; a forced answer
    comes after authentication and routing, before the body is looked at."""
    from mqtt_api_kit.mock_server.pipeline import PIPELINE, Position

    names = [s.name for s in PIPELINE]
    outside = [s.name for s in PIPELINE if s.position is Position.OUTSIDE]
    assert names[0] == "journal"
    order = ["cors", "live-clock", "control", "latency", "faults", "authentication"]
    assert [outside.index(n) for n in order] == sorted(outside.index(n) for n in order)
    assert names.index("route-switch") < names.index("forced-answer") < names.index("body-policy")
    assert PIPELINE[names.index("forced-answer")].position is Position.AFTER_ROUTING


# One read per API whose handler takes no body.
READS = {
    "emqx-v4": "/api/v4/nodes",
    "emqx-v5": "/api/v5/nodes",
    "emqx-v2": "/api/v2/management/nodes",
    "hivemq": "/api/v1/management/backups",
}


@pytest.mark.read_only
@pytest.mark.parametrize("name", sorted(READS))
@pytest.mark.parametrize("kind", ["multipart/form-data", "application/x-www-form-urlencoded"])
def test_a_form_type_on_a_request_without_a_body_changes_nothing(
    client: TestClient, name: str, kind: str
) -> None:
    """A GET sent with a bare `multipart/form-data` (no boundary) was answered 404: Connexion
    parsed the absent form, Starlette refused it, and the refusal read as an unknown route.
    The broker's handler never reads a body it does not take (HiveMQ at 200 examples)."""
    assert name in APIS
    plain = client.get(READS[name])
    typed = client.get(READS[name], headers={"content-type": kind})
    assert plain.status_code == 200
    assert (typed.status_code, typed.content) == (200, plain.content)


def test_a_form_body_starlette_cannot_read_is_bad_input_in_the_apis_shape() -> None:
    hive = TestClient(create_app(build_world(seed=1, clients=5), MockConfig()))
    answer = hive.post(
        "/api/v1/data-hub/schemas",
        content=b"x=1",
        headers={"content-type": "multipart/form-data"},
    )
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["title"]
