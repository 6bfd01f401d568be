"""Paths routed as each broker's router splits them (mock_server/paths.py, exact_routing.py):
empty segments, trailing slashes and the base path itself; never Starlette's 307."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from mqtt_api_kit.mock_server.paths import cowboy_router_path, minirest_tokens_path

pytestmark = pytest.mark.read_only


def _get(client: TestClient, path: str) -> tuple[int, object]:
    response = client.get(path, follow_redirects=False)
    assert response.status_code != 307, f"{path}: no broker redirects ({response.headers})"
    kind = response.headers.get("content-type", "")
    return response.status_code, response.json() if "json" in kind else response.text


@pytest.mark.parametrize(
    ("below", "routed"),
    [("", "/"), ("/", "/"), ("/apps/", "/apps"), ("//apps", "/apps"), ("/a/b//c/", "/a/b/c")],
)
def test_minirest_drops_every_empty_segment(below: str, routed: str) -> None:
    assert minirest_tokens_path(below) == routed


@pytest.mark.parametrize(
    ("below", "routed"),
    [("", ""), ("/", "/"), ("/clients/", "/clients"), ("/clients//", "/clients/")],
)
def test_cowboy_drops_one_trailing_slash_only(below: str, routed: str) -> None:
    assert cowboy_router_path(below) == routed


def test_emqx_v4_routes_a_trailing_or_doubled_slash_as_the_path(client: TestClient) -> None:
    listed = _get(client, "/api/v4/apps")
    assert listed[0] == 200
    assert _get(client, "/api/v4/apps/") == listed
    assert _get(client, "/api/v4//apps") == listed
    # An empty app id is no look-up: `/apps/` is the list, as on the broker.
    nodes = _get(client, "/api/v4/nodes")
    assert _get(client, "/api/v4/nodes//") == nodes


def test_emqx_v4_base_path_is_the_route_list(client: TestClient) -> None:
    status, body = _get(client, "/api/v4")
    assert status == 200
    assert (status, body) == _get(client, "/api/v4/")
    assert isinstance(body, dict) and {"name", "method", "path"} <= set(body["data"][0])


def test_emqx_v5_drops_one_trailing_slash_and_no_more(client: TestClient) -> None:
    status, body = _get(client, "/api/v5/nodes/")
    assert (status, body) == _get(client, "/api/v5/nodes")
    assert status == 200
    for path in ("/api/v5/nodes//", "/api/v5//nodes"):
        assert _get(client, path)[0] == 404, path


def test_hivemq_and_emqx_v2_route_the_path_as_sent(client: TestClient) -> None:
    status, body = _get(client, "/api/v1/mqtt/clients/")
    assert status == 404
    assert isinstance(body, dict) and body["errors"][0]["title"] == "Resource not found"
    assert _get(client, "/api/v2/management/nodes/")[0] == 404
    assert _get(client, "/api/v2/management/nodes")[0] == 200


def test_the_mocks_own_pages_keep_their_paths(client: TestClient) -> None:
    for base in ("/api/v4", "/api/v5", "/api/v1", "/api/v2"):
        response = client.get(f"{base}/ui/", follow_redirects=False)
        assert response.status_code == 200, base
        assert "swagger" in response.text.lower()
