"""`IndexedRouter` (mock_server/exact_routing.py) asks only the routes whose first segment can
match; it must choose exactly what Starlette's router, trying every route in order, chooses."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.routing import Match, Mount
from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import build_world
from mqtt_api_kit.mock_server.app import create_app
from mqtt_api_kit.mock_server.exact_routing import (
    ExactRoutingMiddleware,
    IndexedRouter,
    SwaggerUiOnItsPaths,
)
from mqtt_api_kit.openapi import document
from mqtt_api_kit.registry import APIS


def _routing_mounts() -> dict[str, IndexedRouter]:
    """The mounted routers of the started app's Connexion routing middleware, by base path."""
    app = create_app(build_world(seed=3, clients=5))
    with TestClient(app) as http:
        assert http.get("/api/v4/stats", auth=("admin", "public")).status_code == 200
    layer: object = app
    while not hasattr(layer, "middleware"):  # the OUTSIDE stages wrap the Connexion app
        layer = layer.app  # type: ignore[attr-defined]
    # every layer Connexion built, outermost first
    stack = list(layer.middleware.middleware_stack)
    kinds = [type(m) for m in stack]
    assert kinds.index(SwaggerUiOnItsPaths) < kinds.index(ExactRoutingMiddleware)  # outside it
    routing = stack[kinds.index(ExactRoutingMiddleware)]
    mounts = {route.path: route.app for route in routing.router.routes if isinstance(route, Mount)}
    assert all(isinstance(r, IndexedRouter) for r in mounts.values())
    return mounts  # type: ignore[return-value]


MOUNTS = _routing_mounts()


def _chosen(routes: list, scope: dict) -> tuple[object, object]:
    """(first full match, first partial match) of `routes`, as Starlette's `Router.app`."""
    full = partial = None
    for route in routes:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            full = route
            break
        if match is Match.PARTIAL and partial is None:
            partial = route
    return full, partial


def _same_choice(router: IndexedRouter, path: str, method: str) -> None:
    scope = {"type": "http", "path": path, "root_path": "", "method": method}
    sub = router.candidates(scope)
    assert _chosen(sub.routes, scope) == _chosen(router.routes, scope), (method, path)


def _request_paths(api_document: str) -> list[str]:
    paths = []
    for path in document(api_document)["paths"]:
        paths.append(re.sub(r"\{[^}]+\}", "x", path))
        paths.append(re.sub(r"\{[^}]+\}", "a%2Fb", path) + "/")
        paths.append("/" + path.strip("/").split("/")[0] + "/nothing/here")
    return paths


@pytest.mark.parametrize("api", list(APIS.values()), ids=lambda a: a.name)
def test_every_documented_path_routes_as_starlette_would(api) -> None:
    router = MOUNTS[api.base_path]
    for path in [*_request_paths(api.document), "/", "", "/ui", "/x"]:
        for method in ("GET", "POST", "PUT", "DELETE", "PATCH"):
            _same_choice(router, path, method)


SEGMENT = st.sampled_from(["clients", "x", "", "api", "nodes", "{", "ui", "mqtt", "a b", "rules"])


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(sorted(MOUNTS)),
    st.lists(SEGMENT | st.text(max_size=4), max_size=5),
    st.sampled_from(["GET", "POST", "DELETE"]),
)
def test_any_path_routes_as_starlette_would(base: str, segments: list[str], method: str) -> None:
    _same_choice(MOUNTS[base], "/" + "/".join(segments), method)
