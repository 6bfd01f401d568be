"""The front-end mock's controls on /api/v5: forced answers in EMQX 5's own shapes, after
authentication, and CORS on EMQX 5's own refusals."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.mock_server import MockConfig, create_app

from ...support import AUTH

ORIGIN = "http://localhost:5173"


@pytest.fixture
def mock(world: World) -> TestClient:
    return TestClient(create_app(world, MockConfig()), headers={})


@pytest.mark.parametrize("how", ["header", "query"])
def test_forced_codes_answer_as_emqx5(mock: TestClient, how: str) -> None:
    def ask(value: str):
        key, _, val = value.partition("=")
        if how == "header":
            return mock.get("/api/v5/clients", headers={"Prefer": value}, auth=AUTH)
        return mock.get("/api/v5/clients", params={f"__{key}": val}, auth=AUTH)

    crash = ask("code=500")
    assert crash.status_code == 500 and crash.json()["code"] == "INTERNAL_ERROR"
    busy = ask("code=503")
    assert busy.json() == {"code": "SERVICE_UNAVAILABLE", "message": "Service Unavailable"}
    denied = ask("code=401")
    assert denied.status_code == 401 and denied.json()["code"] == "BAD_API_KEY_OR_SECRET"
    missing = ask("code=404")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")


def test_forced_answers_come_after_emqx5s_authentication(mock: TestClient) -> None:
    refused = mock.get("/api/v5/clients", params={"__code": "500"})
    assert refused.status_code == 401 and refused.json()["code"] == "AUTHORIZATION_HEADER_ERROR"


def test_emqx5_refusals_carry_the_origin(mock: TestClient) -> None:
    expired = mock.get(
        "/api/v5/clients", headers={"Origin": ORIGIN, "Authorization": "Bearer nope"}
    )
    assert expired.status_code == 401 and expired.json()["code"] == "BAD_TOKEN"
    assert expired.headers["access-control-allow-origin"] == ORIGIN
    unknown = mock.get("/api/v5/no/such", headers={"Origin": ORIGIN, "Accept": "application/json"})
    assert unknown.status_code == 404 and unknown.json()["code"] == "NOT_FOUND"
    assert unknown.headers["access-control-allow-origin"] == ORIGIN
