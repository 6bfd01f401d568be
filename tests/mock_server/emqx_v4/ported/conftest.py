"""Fixtures of the plugin suites: the default world's client as `api`, or one node."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World, build_world
from mqtt_api_kit.mock_server import MockConfig, create_app

from ....support import AUTH_HEADERS
from .broker import Api


@pytest.fixture
def api(client: TestClient) -> Api:
    return Api(client)


@pytest.fixture
def single_node() -> World:
    """A one-node cluster, as the suites run on (`node()` is the only running node)."""
    return build_world(seed=7, clients=60, nodes=1)


@pytest.fixture
def single_client(single_node: World) -> TestClient:
    return TestClient(create_app(single_node, MockConfig()), headers=AUTH_HEADERS)
