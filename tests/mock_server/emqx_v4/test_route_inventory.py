"""Every route of EMQX 4.4.19 (the reference's 149-route table) is in our document and is
answered by the mock; plugin-owned routes answer 404 while their plugin is inactive."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World, build_world
from mqtt_api_kit.mock_server import MockConfig, create_app
from mqtt_api_kit.mock_server.emqx_v4 import EmqxV4
from mqtt_api_kit.openapi import document

from ...support import AUTH_HEADERS

ROOT = Path(__file__).resolve().parents[3]
ROUTES = ROOT.parent / "shared" / "reference" / "emqx-v4-routes.md"
_ROW = re.compile(
    r"^\| (\d+) \| (GET|POST|PUT|DELETE) \| `([^`]+)` \| ([^|]+) \|[^|]*\|[^|]*\| ([^|]+) \|"
)

pytestmark = pytest.mark.skipif(
    not ROUTES.exists(), reason="../shared/reference/emqx-v4-routes.md is not beside the checkout"
)


@dataclass(frozen=True)
class Route:
    number: int
    method: str
    path: str
    app: str
    plugin: str | None  # the plugin whose activity gates the route

    @property
    def shape(self) -> str:
        return re.sub(r"\{[^}]+\}", "{}", self.path)

    def __str__(self) -> str:
        return f"#{self.number} {self.method} {self.path}"


def inventory() -> list[Route]:
    routes = []
    for line in ROUTES.read_text().splitlines():
        match = _ROW.match(line)
        if match:
            number, method, path, app, plugin = match.groups()
            plugin = plugin.strip()
            routes.append(
                Route(
                    int(number),
                    method,
                    path,
                    app.strip(),
                    None if plugin.startswith("—") else plugin,
                )
            )
    return routes


def documented() -> set[tuple[str, str]]:
    doc = document(EmqxV4.api.document)
    return {
        (method.upper(), re.sub(r"\{[^}]+\}", "{}", path))
        for path, item in doc["paths"].items()
        for method in item
        if method in ("get", "put", "post", "delete")
    }


def concrete(route: Route, world: World) -> str:
    """The route's path with values that exist in the world (so no lookup can miss)."""
    node = world.running_nodes()[0]
    client = next(world.clients())
    by_name = {
        "node": node.name,
        "plugin": "emqx_recon",
        "module": next(iter(node.modules)),
        "clientid": client.clientid,
        "username": "someone",
        "topic": "t%2F1",
        "id": "rule:none",
        "ep": "urn:imei:0",
        "appid": "app-none",
        "as": "clientid",
        "who": "nobody",
        "filename": "none.json",
        "identifier": "tcp:default",
        "type": "web_hook",
        "name": "inspect"
        if route.path.startswith("/actions")
        else "web_hook"
        if route.path.startswith("/resource_types")
        else "none",
    }
    return re.sub(r"\{([^}]+)\}", lambda m: by_name[m.group(1)].replace("/", "%2F"), route.path)


@pytest.fixture(scope="module")
def mock() -> tuple[TestClient, World]:
    world = build_world(seed=11, clients=40, nodes=2)
    return TestClient(create_app(world, MockConfig()), headers=AUTH_HEADERS), world


def set_plugins(world: World, active: bool, names: set[str] | None = None) -> None:
    for node in world.nodes:
        for name in node.plugins:
            if names is None or name in names:
                world.set_plugin_active(node.name, name, active)


def call(client: TestClient, route: Route, world: World) -> tuple[int, str]:
    body: list[object] | dict[str, object] = [] if route.path.endswith("_batch") else {}
    kwargs: dict[str, Any] = {"json": body} if route.method in ("POST", "PUT") else {}
    answer = client.request(route.method, "/api/v4" + concrete(route, world), **kwargs)
    return answer.status_code, answer.text[:120]


def test_the_reference_table_is_complete() -> None:
    routes = inventory()
    assert len(routes) == 149
    assert [r.number for r in routes] == list(range(1, 150))


def test_every_route_is_an_operation_of_the_document() -> None:
    operations = documented()  # parse the document once, not once per route
    missing = [str(r) for r in inventory() if (r.method, r.shape) not in operations]
    assert not missing, f"{len(missing)} routes are not in openapi/emqx-v4.yaml: {missing}"


def test_every_route_is_answered_by_the_mock(mock: tuple[TestClient, World]) -> None:
    client, world = mock
    set_plugins(world, True)
    unanswered = []
    for route in inventory():
        status, text = call(client, route, world)
        if status == 404:
            unanswered.append(f"{route} → 404 {text!r}")
    assert not unanswered, "the mock answers the generic 404 for:\n" + "\n".join(unanswered)


def test_plugin_routes_are_404_while_their_plugin_is_inactive(
    mock: tuple[TestClient, World],
) -> None:
    client, world = mock
    gated = [r for r in inventory() if r.plugin]
    assert {r.plugin for r in gated} == {
        "emqx_auth_mnesia",
        "emqx_lwm2m",
        "emqx_prometheus",
        "emqx_rule_engine",
        "emqx_sasl",
        "emqx_telemetry",
    }
    set_plugins(world, False, {r.plugin for r in gated if r.plugin})
    try:
        answered = []
        for route in gated:
            status, text = call(client, route, world)
            if status != 404 or text != "Not found.":
                answered.append(f"{route} → {status} {text!r}")
        assert not answered, "answered although the plugin is inactive:\n" + "\n".join(answered)
    finally:
        set_plugins(world, True)
