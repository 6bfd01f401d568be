"""Every answer of the HiveMQ dialect validates against `openapi/hivemq.yaml`."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename
from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.openapi import document_path

with document_path("hivemq.yaml") as SPEC:
    pass


@pytest.fixture(scope="module")
def spec() -> OpenAPI:
    return OpenAPI.from_file_path(str(SPEC))


def check(spec: OpenAPI, hive: TestClient, method: str, target: str) -> int:
    response = hive.request(method, target)
    parts = urlsplit(target)
    request = MockRequest(
        "http://localhost:8888", method.lower(), parts.path, args=dict(parse_qsl(parts.query))
    )
    ctype = response.headers.get("content-type", "application/json")
    spec.validate_response(
        request,
        MockResponse(response.content, status_code=response.status_code, content_type=ctype),
    )
    return response.status_code


def test_the_document_is_valid_openapi() -> None:
    validate(read_from_filename(str(SPEC))[0])


@pytest.mark.read_only
def test_every_read_answer_conforms(spec: OpenAPI, hive: TestClient, world: World) -> None:
    statuses = set()
    for c in world.clients():
        for tail in ("", "/connection", "/subscriptions"):
            statuses.add(
                check(spec, hive, "GET", f"/api/v1/mqtt/clients/{quote(c.clientid, safe='')}{tail}")
            )
    target: str | None = "/api/v1/mqtt/clients?limit=50"
    while target:
        statuses.add(check(spec, hive, "GET", target))
        target = hive.get(target).json().get("_links", {}).get("next")
    for bad in ("limit=10", "cursor=forged", "limit=x"):
        statuses.add(check(spec, hive, "GET", f"/api/v1/mqtt/clients?{bad}"))
    statuses.add(check(spec, hive, "GET", "/api/v1/mqtt/clients/nobody"))
    assert statuses == {200, 400, 404}


def test_write_answers_conform(spec: OpenAPI, hive: TestClient, world: World) -> None:
    online = next(c for c in world.clients() if c.connected)
    offline = next(c for c in world.clients() if not c.connected)
    assert (
        check(
            spec,
            hive,
            "DELETE",
            f"/api/v1/mqtt/clients/{quote(online.clientid, safe='')}/connection",
        )
        == 204
    )
    assert (
        check(spec, hive, "DELETE", f"/api/v1/mqtt/clients/{quote(offline.clientid, safe='')}")
        == 204
    )
    assert check(spec, hive, "DELETE", "/api/v1/mqtt/clients/nobody") == 404
    assert check(spec, hive, "DELETE", "/api/v1/mqtt/clients/x?preventWillMessage=2") == 400


def test_data_hub_answers_conform(spec: OpenAPI, hive: TestClient) -> None:
    definition = base64.b64encode(b'{"type": "object"}').decode()
    for i in range(12):
        body = {"id": f"s{i}", "type": "JSON", "schemaDefinition": definition}
        response = hive.post("/api/v1/data-hub/schemas", json=body)
        request = MockRequest(
            "http://localhost:8888",
            "post",
            "/api/v1/data-hub/schemas",
            data=json.dumps(body).encode(),
            content_type="application/json",
        )
        spec.validate_response(
            request,
            MockResponse(response.content, status_code=response.status_code),
        )
    statuses = set()
    target: str | None = "/api/v1/data-hub/schemas?limit=10&fields=id,version"
    while target:
        statuses.add(check(spec, hive, "GET", target))
        target = hive.get(target).json().get("_links", {}).get("next")
    for tail in ("/s1", "/s1?fields=id,createdAt", "/nothing", "?types=XML", "?limit=501"):
        statuses.add(check(spec, hive, "GET", f"/api/v1/data-hub/schemas{tail}"))
    assert check(spec, hive, "DELETE", "/api/v1/data-hub/schemas/s1") == 204
    assert check(spec, hive, "DELETE", "/api/v1/data-hub/schemas/s1") == 404
    assert statuses == {200, 400, 404}
