from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.mock_server import MockConfig, create_app


@pytest.mark.read_only
def test_missing_credentials_get_the_brokers_401(world: World) -> None:
    anonymous = TestClient(create_app(world))
    r = anonymous.get("/api/v4/clients")
    assert r.status_code == 401
    assert r.content == b"UNAUTHORIZED"
    assert r.headers["www-authenticate"] == 'Basic Realm="minirest-server"'
    assert "content-type" not in r.headers


@pytest.mark.read_only
def test_credentials_are_checked_before_routes(world: World) -> None:
    anonymous = TestClient(create_app(world))
    assert anonymous.get("/api/v4/no/such/route").status_code == 401


@pytest.mark.read_only
def test_wrong_or_malformed_credentials_are_refused(world: World) -> None:
    c = TestClient(create_app(world))
    assert c.get("/api/v4/clients", auth=("admin", "wrong")).status_code == 401
    assert c.get("/api/v4/clients", headers={"Authorization": "Basic %%%"}).status_code == 401
    assert c.get("/api/v4/clients", headers={"Authorization": "Bearer x"}).status_code == 401


def test_credentials_are_configurable_and_can_be_switched_off(world: World) -> None:
    # not read-only: `--auth` makes its login the world's default app and dashboard user
    # (fixtures/console.py adopt_defaults), as the broker's configuration does
    custom = TestClient(create_app(world, MockConfig(auth=("ops", "s3cret"))))
    assert custom.get("/api/v4/clients", auth=("ops", "s3cret")).status_code == 200
    assert custom.get("/api/v4/clients", auth=("admin", "public")).status_code == 401
    open_mock = TestClient(create_app(world, MockConfig(auth=None)))
    assert open_mock.get("/api/v4/clients").json()["code"] == 0


@pytest.mark.read_only
def test_swagger_ui_needs_no_credentials(world: World) -> None:
    anonymous = TestClient(create_app(world))
    assert anonymous.get("/api/v4/openapi.json").status_code == 200
    assert anonymous.get("/api/v4/ui/").status_code == 200
