from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from .support import Api


@pytest.fixture
def api(client: TestClient) -> Api:
    return Api(client)
