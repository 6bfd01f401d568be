"""CORS at HTTP level (quick tier): preflights answered without credentials, every answer
readable by the allowed origin, nothing for other origins or with CORS off."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import build_world
from mqtt_api_kit.mock_server import MockConfig, create_app
from mqtt_api_kit.registry import APIS

from ...support import AUTH

ORIGIN = "http://localhost:5173"
PROTECTED = MockConfig(hivemq_auth=AUTH)
PATHS = {
    "emqx-v5": "/clients",
    "emqx-v4": "/clients",
    "emqx-v2": "/management/nodes",
    "hivemq": "/mqtt/clients",
}


@pytest.fixture(scope="module")
def mock() -> TestClient:
    return TestClient(create_app(build_world(seed=5, clients=20), PROTECTED))


@pytest.mark.parametrize(
    "path", [*(a.base_path + PATHS[a.name] for a in APIS.values()), "/__mock/state"]
)
def test_a_preflight_is_204_without_credentials(mock: TestClient, path: str) -> None:
    response = mock.options(
        path,
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert response.status_code == 204, response.text
    h = response.headers
    assert h["access-control-allow-origin"] == ORIGIN
    assert h["access-control-allow-credentials"] == "true"
    assert "POST" in h["access-control-allow-methods"]
    assert h["access-control-allow-headers"] == "authorization, content-type"
    assert "Origin" in h["vary"]


@pytest.mark.parametrize("api", list(APIS.values()), ids=list(APIS))
def test_answers_and_401s_carry_the_origin(mock: TestClient, api) -> None:
    path = api.base_path + PATHS[api.name]
    denied = mock.get(path, headers={"Origin": ORIGIN})
    assert denied.status_code == 401
    assert denied.headers["access-control-allow-origin"] == ORIGIN
    allowed = mock.get(path, headers={"Origin": ORIGIN}, auth=AUTH)
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == ORIGIN
    assert allowed.headers["access-control-allow-credentials"] == "true"
    assert "WWW-Authenticate" in allowed.headers["access-control-expose-headers"]


def test_listed_origins_only_and_cors_off() -> None:
    world = build_world(seed=5, clients=5)
    listed = TestClient(create_app(world, MockConfig(cors_origins=(ORIGIN,))))
    preflight = {"Access-Control-Request-Method": "GET"}
    ok = listed.options("/api/v4/clients", headers={"Origin": ORIGIN, **preflight})
    assert ok.status_code == 204
    other = listed.options("/api/v4/clients", headers={"Origin": "http://evil.test", **preflight})
    assert other.status_code == 401 and "access-control-allow-origin" not in other.headers
    off = TestClient(create_app(world, MockConfig(cors=False)))
    answer = off.options("/api/v4/clients", headers={"Origin": ORIGIN, **preflight})
    assert answer.status_code == 401 and "access-control-allow-origin" not in answer.headers
    plain = off.get("/api/v4/clients", headers={"Origin": ORIGIN}, auth=AUTH)
    assert "access-control-allow-origin" not in plain.headers
