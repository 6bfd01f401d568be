from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.mock_server import MockConfig, create_app

from ...support import AUTH_HEADERS


@pytest.fixture
def app(world: World) -> TestClient:
    """The mock over `world`, no credentials sent."""
    return TestClient(create_app(world, MockConfig()))


@pytest.fixture
def api(world: World) -> TestClient:
    """The mock with the default bootstrap API key (admin:public) as Basic credentials."""
    return TestClient(create_app(world, MockConfig()), headers=AUTH_HEADERS)


@pytest.fixture
def bearer(app: TestClient) -> dict[str, str]:
    token = app.post("/api/v5/login", json={"username": "admin", "password": "public"})
    return {"Authorization": f"Bearer {token.json()['token']}"}
