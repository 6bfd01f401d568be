"""The document lint: every document in `openapi/` is valid, uses every component it defines,
declares every tag it uses, writes its broker facts only in registered vendor keys
(`openapi/EXTENSIONS.md`), and has exactly the operations its dialect has handlers for.

Parametrized over `document_names()`: a new document is linted as soon as it is added.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import validate

from mqtt_api_kit.fixtures import build_world
from mqtt_api_kit.mock_server import MockConfig
from mqtt_api_kit.mock_server.admin import ADMIN_DOCUMENT, AdminApi
from mqtt_api_kit.mock_server.app import default_dialects
from mqtt_api_kit.mock_server.runtime import Runtime
from mqtt_api_kit.openapi import document, document_copy, document_names
from mqtt_api_kit.openapi.extensions import registry
from mqtt_api_kit.openapi.operations import operations

from .lint import extension_problems, tag_problems, unused_components

ROOT = Path(__file__).resolve().parents[2]
NAMES = document_names()


@pytest.mark.parametrize("name", NAMES)
def test_document_is_valid_openapi(name: str) -> None:
    validate(document_copy(name))


@pytest.mark.parametrize("name", NAMES)
def test_every_component_is_used(name: str) -> None:
    assert unused_components(document(name)) == []


@pytest.mark.parametrize("name", NAMES)
def test_every_tag_is_declared_described_and_used(name: str) -> None:
    assert tag_problems(document(name)) == []


@pytest.mark.parametrize("name", NAMES)
def test_every_extension_is_registered(name: str) -> None:
    assert extension_problems(name, document(name), registry()) == []


@pytest.mark.parametrize("name", NAMES)
def test_every_operation_has_a_handler_and_every_handler_an_operation(name: str) -> None:
    world = build_world(seed=1, clients=5, nodes=1)
    ids = [op.operation_id for op in operations(name)]
    assert len(ids) == len(set(ids)), "operationIds repeat"
    if name == ADMIN_DOCUMENT:  # the mock's own API, served beside the dialects
        handlers = set(AdminApi(Runtime(world, MockConfig())).handlers())
    else:
        serving = [d for d in (f(world, MockConfig()) for f in default_dialects())]
        serving = [d for d in serving if d.api.document == name]
        assert len(serving) == 1, f"{name} is served by {len(serving)} dialects"
        handlers = set(serving[0].handlers())
    assert sorted(set(ids) - handlers) == [], "operations without a handler"
    assert sorted(handlers - set(ids)) == [], "handlers without an operation"


def test_registry_keys_are_kebab_case_and_their_readers_read_them() -> None:
    kebab = r"[a-z0-9]+(-[a-z0-9]+)*"
    for key in registry().keys.values():
        assert re.fullmatch(rf"{kebab}(\.{kebab})*", key.name), key.name
        for module in key.read_by:
            source = ROOT / module
            assert source.is_file(), f"{key.vendor}.{key.name}: no {module}"
            assert key.name.split(".")[0] in source.read_text(), f"{module} never reads {key.name}"


# -- the lint can fail: each rule, shown a broken copy of a real document ---------------------


def _broken(name: str) -> dict[str, Any]:
    return copy.deepcopy(document(name))


def _first_operation(doc: dict[str, Any]) -> dict[str, Any]:
    item = next(iter(doc["paths"].values()))
    return next(v for k, v in item.items() if k in ("get", "post", "put", "delete"))


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda op: op.update({"x-emqx-plugin": "emqx_sasl"}), "not a registered vendor object"),
        (lambda op: op.update({"x-hivemq": {"since": "4.0"}}), "is for hivemq*.yaml documents"),
        (lambda op: op["x-emqx"].update({"owner": "me"}), "key 'owner' is not registered"),
        (lambda op: op["x-emqx"].update({"sources": ["a"]}), "may appear in ['info']"),
        (lambda op: op["x-emqx"].update({"business-codes": [1.5]}), "is not integer list"),
        (lambda op: op["x-emqx"].update({"listener": "mgmt"}), "is not string ['dashboard']"),
        (
            lambda op: op["x-emqx"].update({"outside-route": {"verb": "GET"}}),
            "'outside-route.verb' is not registered",
        ),
        (lambda op: op.update({"x-emqx": {}}), "must be a non-empty object"),
    ],
)
def test_extension_lint_rejects(change: Any, expected: str) -> None:
    doc = _broken("emqx-v4.yaml")
    change(_first_operation(doc))
    problems = extension_problems("emqx-v4.yaml", doc, registry())
    assert any(expected in p for p in problems), problems


def test_extension_lint_ignores_example_values_and_property_names() -> None:
    doc = _broken("emqx-v4.yaml")
    schema = doc["components"]["schemas"]["Ok"]
    schema["example"] = {"x-anything": 1}
    schema.setdefault("properties", {})["x-header-like-name"] = {"type": "string"}
    assert extension_problems("emqx-v4.yaml", doc, registry()) == []


def test_component_lint_finds_an_unused_one_and_one_only_unused_ones_reach() -> None:
    doc = _broken("hivemq.yaml")
    doc["components"]["schemas"]["Lonely"] = {"$ref": "#/components/schemas/Friend"}
    doc["components"]["schemas"]["Friend"] = {"type": "string"}
    assert unused_components(doc) == ["schemas/Friend", "schemas/Lonely"]


def test_tag_lint_finds_undeclared_undescribed_and_unused_tags() -> None:
    doc = _broken("hivemq.yaml")
    _first_operation(doc)["tags"] = ["nowhere"]
    doc["tags"].append({"name": "silent"})
    problems = tag_problems(doc)
    assert "tag 'nowhere' is used but not declared" in problems
    assert "tag 'silent' has no description" in problems
    assert "tag 'silent' is declared but not used" in problems
