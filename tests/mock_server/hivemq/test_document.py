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


def exchange(spec: OpenAPI, hive: TestClient, method: str, target: str, body: object = None) -> int:
    """One request, its answer validated against the document (status, headers, body)."""
    data = None if body is None else json.dumps(body)
    response = hive.request(
        method, target, content=data, headers={"content-type": "application/json"} if data else {}
    )
    parts = urlsplit(target)
    request = MockRequest(
        "http://localhost:8888",
        method.lower(),
        parts.path,
        args=dict(parse_qsl(parts.query)),
        data=data.encode() if data is not None else None,
        content_type="application/json",
    )
    ctype = response.headers.get("content-type", "application/json")
    spec.validate_response(
        request,
        MockResponse(
            response.content,
            status_code=response.status_code,
            content_type=ctype,
            headers=dict(response.headers),
        ),
    )
    return response.status_code


def test_management_answers_conform(spec: OpenAPI, hive: TestClient, world: World) -> None:
    statuses = set()
    backup = hive.post("/api/v1/management/backups").json()["backup"]["id"]
    calls = [
        ("POST", "/api/v1/management/backups"),
        ("GET", "/api/v1/management/backups"),
        ("GET", f"/api/v1/management/backups/{backup}"),
        ("GET", f"/api/v1/management/files/backups/{backup}"),
        ("POST", f"/api/v1/management/backups/{backup}"),
        ("GET", "/api/v1/management/backups/none"),
        ("POST", "/api/v1/management/diagnostic-archives"),
        ("POST", "/api/v1/management/diagnostic-archives"),
        ("GET", "/api/v1/management/trace-recordings"),
        ("GET", "/api/v1/management/files/trace-recordings/connect-audit"),
        ("GET", "/api/v1/management/files/trace-recordings/night-watch"),
    ]
    for method, target in calls:
        statuses.add(exchange(spec, hive, method, target))
    world.clock.advance(3000)
    for method, target in calls[:5]:
        statuses.add(exchange(spec, hive, method, target))
    new = {
        "traceRecording": {
            "name": "doc-check",
            "startAt": "2026-03-02T09:00:00Z",
            "endAt": "2026-03-02T11:00:00Z",
            "clientIdFilters": [{"regex": ".*"}],
            "events": ["MQTT_MESSAGE_CONNECT", "MQTT_MESSAGE_CONNACK"],
        }
    }
    statuses.add(exchange(spec, hive, "POST", "/api/v1/management/trace-recordings", new))
    statuses.add(exchange(spec, hive, "POST", "/api/v1/management/trace-recordings", new))
    stop = {"traceRecording": {"state": "STOPPED"}}
    target = "/api/v1/management/trace-recordings/doc-check"
    statuses.add(exchange(spec, hive, "PATCH", target, stop))
    statuses.add(exchange(spec, hive, "GET", "/api/v1/management/files/trace-recordings/doc-check"))
    statuses.add(exchange(spec, hive, "DELETE", target))
    statuses.add(exchange(spec, hive, "DELETE", target))
    assert statuses == {200, 201, 204, 400, 404}


def test_data_hub_policy_answers_conform(spec: OpenAPI, hive: TestClient, world: World) -> None:
    definition = base64.b64encode(b'{"type": "object"}').decode()
    schema = {"id": "telemetry", "type": "JSON", "schemaDefinition": definition}
    statuses = {exchange(spec, hive, "POST", "/api/v1/data-hub/schemas", schema)}
    source = base64.b64encode(b"function transform(publish, context) { return publish; }")
    script = {"id": "t.js", "functionType": "TRANSFORMATION", "source": source.decode()}
    statuses.add(exchange(spec, hive, "POST", "/api/v1/data-hub/scripts", script))
    ref = {"schemaId": "telemetry", "version": "latest"}
    data = "/api/v1/data-hub/data-validation/policies"
    behavior = "/api/v1/data-hub/behavior-validation/policies"
    for i in range(12):
        policy = {
            "id": f"p{i}",
            "matching": {"topicFilter": f"site/{i}/#"},
            "validation": {
                "validators": [
                    {"type": "schema", "arguments": {"strategy": "ANY_OF", "schemas": [ref]}}
                ]
            },
        }
        statuses.add(exchange(spec, hive, "POST", data, policy))
        rule = {
            "id": f"b{i}",
            "matching": {"clientIdRegex": ".*"},
            "behavior": {"id": "Mqtt.events"},
        }
        statuses.add(exchange(spec, hive, "POST", behavior, rule))
    for base in (data, behavior, "/api/v1/data-hub/scripts"):
        target: str | None = f"{base}?limit=10"
        while target:
            statuses.add(exchange(spec, hive, "GET", target))
            target = hive.get(target).json().get("_links", {}).get("next")
    client = next(c for c in world.clients() if c.connected)
    for target in (
        f"{data}/p1",
        f"{data}/p1?fields=id",
        f"{behavior}/b1",
        f"{data}?topic=site/1/x",
        f"{data}/nothing",
        "/api/v1/data-hub/scripts/t.js",
        f"/api/v1/data-hub/behavior-validation/states/{quote(client.clientid, safe='')}",
        "/api/v1/data-hub/behavior-validation/states/nobody",
        f"{data}?limit=5",
    ):
        statuses.add(exchange(spec, hive, "GET", target))
    update = {"id": "p1", "matching": {"topicFilter": "site/1/#"}}
    statuses.add(exchange(spec, hive, "PUT", f"{data}/p1", update))
    statuses.add(exchange(spec, hive, "PUT", f"{data}/p1", dict(update, id="p2")))
    statuses.add(exchange(spec, hive, "DELETE", "/api/v1/data-hub/schemas/telemetry"))
    statuses.add(exchange(spec, hive, "DELETE", f"{behavior}/b1"))
    statuses.add(exchange(spec, hive, "POST", "/api/v1/data-hub/management/start-trial"))
    statuses.add(exchange(spec, hive, "POST", "/api/v1/data-hub/management/start-trial"))
    assert statuses == {200, 201, 204, 400, 404}
