"""Data Hub schema registry: versions, refusals, fields, filters and cursor paging."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World

from .conftest import FakeClock

SCHEMAS = "/api/v1/data-hub/schemas"


def b64(obj: object) -> str:
    return base64.b64encode(json.dumps(obj).encode()).decode()


def create(hive: TestClient, schema_id: str, definition: object, kind: str = "JSON", **extra):
    body = {"id": schema_id, "type": kind, "schemaDefinition": b64(definition), **extra}
    return hive.post(SCHEMAS, json=body)


def walk(hive: TestClient, first: str) -> list[tuple[str, int]]:
    seen, url = [], first
    while url:
        body = hive.get(url).json()
        seen += [(s["id"], s["version"]) for s in body["items"]]
        url = body.get("_links", {}).get("next")
    return seen


@pytest.mark.read_only
def test_a_fresh_broker_has_no_schemas(hive: TestClient) -> None:
    assert hive.get(SCHEMAS).json() == {"items": []}


def test_create_then_new_versions(hive: TestClient, world: World) -> None:
    first = create(hive, "telemetry", {"type": "object"})
    assert first.status_code == 201
    body = first.json()
    assert body["id"] == "telemetry" and body["version"] == 1 and body["type"] == "JSON"
    assert base64.b64decode(body["schemaDefinition"]) == json.dumps({"type": "object"}).encode()
    assert body["createdAt"].endswith("Z") and "arguments" not in body
    second = create(hive, "telemetry", {"type": "array"}).json()
    assert second["version"] == 2 and second["createdAt"] > body["createdAt"]
    latest = hive.get(f"{SCHEMAS}/telemetry").json()
    assert latest["version"] == 2
    assert [(s["id"], s["version"]) for s in hive.get(SCHEMAS).json()["items"]] == [
        ("telemetry", 1),
        ("telemetry", 2),
    ]
    assert world.datahub.latest("telemetry").version == 2


def test_the_same_definition_again_is_refused(hive: TestClient, world: World) -> None:
    create(hive, "telemetry", {"type": "object"})
    revision = world.revision
    again = create(hive, "telemetry", {"type": "object"})
    assert again.status_code == 400
    assert again.json()["errors"][0]["title"] == "Schema already present"
    assert world.revision == revision


@pytest.mark.parametrize(
    "body, title",
    [
        ({"id": "s", "type": "JSON", "schemaDefinition": "not base64!"}, "Schema not parsable"),
        ({"id": "s", "type": "JSON", "schemaDefinition": b64([1, 2])}, "Schema not parsable"),
        ({"id": "s", "type": "JSON", "schemaDefinition": ""}, "Schema not parsable"),
        ({"id": "s", "type": "PROTOBUF", "schemaDefinition": "CgVoZWxsbw=="}, "Invalid resource"),
        ({"id": "1st", "type": "JSON", "schemaDefinition": b64({})}, "Invalid resource"),
        ({"id": "s", "type": "XML", "schemaDefinition": b64({})}, "Invalid resource"),
        ({"type": "JSON", "schemaDefinition": b64({})}, "Invalid resource"),
    ],
)
@pytest.mark.read_only
def test_bad_schemas_are_refused_and_nothing_is_stored(
    hive: TestClient, world: World, body: dict, title: str
) -> None:
    response = hive.post(SCHEMAS, json=body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["title"] == title
    assert world.datahub.all_versions() == []


def test_protobuf_needs_a_message_type(hive: TestClient) -> None:
    ok = hive.post(
        SCHEMAS,
        json={
            "id": "pb",
            "type": "PROTOBUF",
            "schemaDefinition": "CgVoZWxsbw==",
            "arguments": {"messageType": "Telemetry"},
        },
    )
    assert ok.status_code == 201 and ok.json()["arguments"] == {"messageType": "Telemetry"}


def test_fields_pick_the_keys(hive: TestClient) -> None:
    create(hive, "telemetry", {"type": "object"})
    one = hive.get(f"{SCHEMAS}/telemetry", params={"fields": "id,createdAt"}).json()
    assert list(one) == ["id", "createdAt"]
    listed = hive.get(SCHEMAS, params={"fields": "id"}).json()
    assert listed == {"items": [{"id": "telemetry"}]}
    bad = hive.get(SCHEMAS, params={"fields": "id,secret"})
    assert bad.status_code == 400 and "'fields'" in bad.json()["errors"][0]["detail"]


def test_filters_combine(hive: TestClient) -> None:
    create(hive, "a", {"title": "a"})
    create(hive, "b", {"title": "b"})
    hive.post(
        SCHEMAS,
        json={
            "id": "c",
            "type": "PROTOBUF",
            "schemaDefinition": "CgVoZWxsbw==",
            "arguments": {"messageType": "M"},
        },
    )
    ids = lambda **q: [s["id"] for s in hive.get(SCHEMAS, params=q).json()["items"]]  # noqa: E731
    assert ids(types="PROTOBUF") == ["c"]
    assert ids(schemaIds="a,c") == ["a", "c"]
    assert ids(schemaIds="a,c", types="JSON") == ["a"]
    assert hive.get(SCHEMAS, params={"types": "XML"}).status_code == 400


def test_cursor_walk_keeps_the_filters(hive: TestClient) -> None:
    for i in range(25):
        create(hive, f"s{i:02d}", {"title": i})
    every = walk(hive, f"{SCHEMAS}?limit=10")
    assert every == [(f"s{i:02d}", 1) for i in range(25)]
    nxt = hive.get(SCHEMAS, params={"limit": 10, "fields": "id"}).json()["_links"]["next"]
    assert parse_qs(urlsplit(nxt).query)["fields"] == ["id"]
    # A cursor issued under one filter is not valid under another, nor for the client list.
    cursor = parse_qs(urlsplit(nxt).query)["cursor"][0]
    assert hive.get(SCHEMAS, params={"cursor": cursor, "types": "JSON"}).status_code == 400
    assert hive.get("/api/v1/mqtt/clients", params={"cursor": cursor}).status_code == 400


def test_cursor_expires_on_ttl_and_a_walk_goes_on_across_changes(
    hive: TestClient, clock: FakeClock
) -> None:
    for i in range(12):
        create(hive, f"s{i:02d}", {"title": i})
    nxt = hive.get(SCHEMAS, params={"limit": 10}).json()["_links"]["next"]
    clock.now += 61
    assert hive.get(nxt).status_code == 410
    nxt = hive.get(SCHEMAS, params={"limit": 10}).json()["_links"]["next"]
    create(hive, "late", {"title": "late"})
    hive.delete(f"{SCHEMAS}/s11")
    rest = hive.get(nxt)  # the walk pages through the list as it began, minus what is gone
    assert rest.status_code == 200
    assert [i["id"] for i in rest.json()["items"]] == ["s10"]


def test_delete_removes_every_version(hive: TestClient, world: World) -> None:
    create(hive, "telemetry", {"type": "object"})
    create(hive, "telemetry", {"type": "array"})
    response = hive.delete(f"{SCHEMAS}/telemetry")
    assert response.status_code == 204 and response.content == b""
    assert hive.get(f"{SCHEMAS}/telemetry").status_code == 404
    assert hive.delete(f"{SCHEMAS}/telemetry").json()["errors"][0]["title"] == "Resource not found"
    assert world.datahub.all_versions() == []


@pytest.mark.parametrize(
    "body, title",
    [
        (b"\xc7\x9a2\xff&", "Invalid input"),  # not UTF-8: Connexion alone would crash (500)
        (b'{"id": "s"', "Invalid input"),
        (b"", "Required parameter missing"),
        (b"[]", "Invalid resource"),
    ],
)
@pytest.mark.read_only
def test_a_body_that_is_not_a_schema_is_400(
    hive: TestClient, world: World, body: bytes, title: str
) -> None:
    headers = {"content-type": "application/json"}
    response = hive.post(SCHEMAS, content=body, headers=headers)
    assert response.status_code == 400
    assert response.json()["errors"][0]["title"] == title
    assert world.datahub.all_versions() == []


@pytest.mark.read_only
def test_credentials_come_before_the_body_check(world: World) -> None:
    from mqtt_api_kit.mock_server import MockConfig, create_app

    protected = TestClient(create_app(world, MockConfig(hivemq_auth=("ops", "pw"))))
    headers = {"content-type": "application/json"}
    assert protected.post(SCHEMAS, content=b"\xff", headers=headers).status_code == 401
    authed = protected.post(SCHEMAS, content=b"\xff", headers=headers, auth=("ops", "pw"))
    assert authed.status_code == 400
