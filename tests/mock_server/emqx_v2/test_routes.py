"""Every route of the 2.3.11 reference is an operation of our document and answered by the mock."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.openapi import document

ROOT = Path(__file__).resolve().parents[3]
REFERENCE = ROOT.parent / "shared" / "reference" / "emqx-v2.md"
SPEC = document("emqx-v2.yaml")
ROW = re.compile(r"^\|\s*\d+\s*\|\s*(GET|POST|PUT|DELETE)\s*\|\s*`([^`]+)`")


def reference_routes() -> list[tuple[str, str]]:
    if not REFERENCE.exists():
        pytest.skip(f"{REFERENCE} is absent (../shared is not beside the checkout)")
    rows = [ROW.match(line) for line in REFERENCE.read_text().splitlines()]
    return [(m.group(1), m.group(2)) for m in rows if m]


def operation(method: str, path: str) -> dict | None:
    return (SPEC["paths"].get(path) or {}).get(method.lower())


def test_reference_lists_the_42_routes_of_2_3_11() -> None:
    assert len(reference_routes()) == 42


def test_every_reference_route_is_a_documented_operation() -> None:
    missing = [f"{m} {p}" for m, p in reference_routes() if operation(m, p) is None]
    assert not missing, f"routes of the reference missing from the document: {missing}"


def test_every_operation_declares_its_business_codes() -> None:
    for path, item in SPEC["paths"].items():
        for method, op in item.items():
            codes = op.get("x-emqx", {}).get("business-codes")
            assert isinstance(codes, list), f"{method} {path}"
            assert all(101 <= c <= 114 for c in codes), f"{method} {path}: {codes}"


def _values(world: World) -> dict[str, str]:
    node = world.running_nodes()[0].name
    client = next(c for c in world.clients(node) if c.connected)
    topic, _ = world.routes()[0]
    return {
        "node": node,
        "clientid": quote(client.clientid, safe=""),
        "topic": quote(topic, safe=""),
        "plugin": "emqx_recon",
        "app": "emqx_recon",
        "username": "admin",
    }


def test_every_reference_route_is_answered_by_the_mock(client: TestClient, world: World) -> None:
    values = _values(world)
    for method, path in reference_routes():
        url = "/api/v2" + re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)
        op = operation(method, path)
        assert op is not None, f"{method} {path} is not in the document"
        body = op.get("requestBody", {})
        if "$ref" in body:
            body = SPEC["components"]["requestBodies"][body["$ref"].rsplit("/", 1)[1]]
        example = body.get("content", {}).get("application/json", {}).get("example")
        if method == "DELETE" and path == "/users/{username}":
            url = "/api/v2/users/" + next(u for u in world.console.users if u != "admin")
        response = client.request(method, url, json=example)
        assert response.status_code == 200, f"{method} {url}: {response.status_code}"
        payload = response.json()
        assert isinstance(payload.get("code"), int), f"{method} {url}: {payload}"
        if payload["code"] == 0:
            assert "result" in payload, f"{method} {url}: {payload}"
        else:
            assert payload["code"] in op["x-emqx"]["business-codes"], f"{method} {url}: {payload}"
