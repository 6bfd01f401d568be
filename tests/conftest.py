from __future__ import annotations

import warnings

import pytest

warnings.filterwarnings("ignore", message=".*starlette.testclient.*")

from starlette.testclient import TestClient  # noqa: E402

from mqtt_api_kit.fixtures import World, build_world  # noqa: E402
from mqtt_api_kit.mock_server import MockConfig, create_app  # noqa: E402

from .support import AUTH_HEADERS  # noqa: E402


@pytest.fixture
def world() -> World:
    return build_world(seed=7, clients=120, nodes=3)


@pytest.fixture
def client(world: World) -> TestClient:
    """An EMQX-v4-authenticated test client over a fresh mock of `world`."""
    return TestClient(create_app(world, MockConfig()), headers=AUTH_HEADERS)
