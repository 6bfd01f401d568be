from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.mock_server import MockConfig, create_app

from ...support import AUTH_HEADERS


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def hive(world: World, clock: FakeClock) -> TestClient:
    """A test client of the mock with a HiveMQ dialect on a fake clock (TTL 60 s); it sends the
    EMQX credentials too, so `/api/v4` answers the same world."""
    from functools import partial

    from mqtt_api_kit.mock_server.app import default_dialects
    from mqtt_api_kit.mock_server.hivemq import HiveMq

    dialects = [d for d in default_dialects() if d is not HiveMq]
    dialects.append(partial(HiveMq, cursor_ttl=60, clock=clock))
    return TestClient(create_app(world, MockConfig(), dialects), headers=AUTH_HEADERS)
