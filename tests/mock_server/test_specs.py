"""The mock builds its Connexion specifications without Connexion's meta-schema validation
(mock_server/specs.py says why); the validation runs here instead, on every document."""

from __future__ import annotations

from typing import Any

import pytest
from connexion.spec import Specification
from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import build_world
from mqtt_api_kit.mock_server import specs
from mqtt_api_kit.mock_server.app import create_app
from mqtt_api_kit.openapi import document_copy
from mqtt_api_kit.registry import APIS, EMQX_V4


@pytest.mark.parametrize("name", sorted({api.document for api in APIS.values()}))
def test_every_served_document_passes_connexions_validation(name: str) -> None:
    specs.connexion_validate(name)


@pytest.mark.parametrize("name", sorted({api.document for api in APIS.values()}))
def test_the_mock_specification_is_what_connexion_would_build(name: str) -> None:
    ours = specs.specification(name)
    theirs = Specification.from_dict(document_copy(name))
    assert ours.raw == theirs.raw
    assert _same(ours.spec, theirs.spec, set())


def _same(a: Any, b: Any, seen: set[tuple[int, int]]) -> bool:
    """Equality that survives the cycles of a resolved document (HiveMQ's schemas refer to
    themselves): a pair of containers already under comparison counts as equal."""
    if isinstance(a, dict) and isinstance(b, dict):
        if (id(a), id(b)) in seen:
            return True
        seen.add((id(a), id(b)))
        return a.keys() == b.keys() and all(_same(a[k], b[k], seen) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        if (id(a), id(b)) in seen:
            return True
        seen.add((id(a), id(b)))
        return len(a) == len(b) and all(_same(x, y, seen) for x, y in zip(a, b, strict=True))
    return bool(type(a) is type(b) and a == b)


def test_apps_keep_their_own_base_paths_and_serve_their_documents() -> None:
    # Two apps over one cached specification: the base path one writes is not the other's,
    # and Swagger UI's openapi.json (Specification.clone) answers.
    first, second = specs.specification(EMQX_V4.document), specs.specification(EMQX_V4.document)
    first.base_path = "/first"
    assert second.base_path == EMQX_V4.base_path
    assert (
        specs.specification(EMQX_V4.document).raw["servers"]
        == document_copy(EMQX_V4.document)["servers"]
    )
    app = create_app(build_world(seed=5, clients=3))
    with TestClient(app) as http:
        served = http.get(f"{EMQX_V4.base_path}/openapi.json")
    assert served.status_code == 200
    assert served.json()["paths"].keys() == document_copy(EMQX_V4.document)["paths"].keys()
