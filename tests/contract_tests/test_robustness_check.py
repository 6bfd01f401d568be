"""The robustness verdict's own judgement of a request: what our document calls invalid."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from schemathesis.core import NOT_SET

from mqtt_api_kit.contract_tests.checks.robustness import declared_input_is_invalid
from mqtt_api_kit.openapi import document

RAW = document("emqx-v4.yaml")


def case(path: str, method: str, concrete: str, body: Any, query: dict[str, Any]) -> Any:
    definition = SimpleNamespace(raw=RAW["paths"][path][method])
    operation = SimpleNamespace(schema=SimpleNamespace(raw_schema=RAW), definition=definition)
    return SimpleNamespace(
        operation=operation, query=query, body=body, method=method.upper(), formatted_path=concrete
    )


def keepalive(body: Any, query: dict[str, Any]) -> Any:
    return case("/clients/{clientid}/keepalive", "put", "/clients/c1/keepalive", body, query)


@pytest.mark.parametrize(
    ("body", "query"),
    [
        (None, {"interval": 0, "": "null"}),  # a JSON null body, sent: the body is nullable
        (NOT_SET, {"interval": 0}),  # no body at all: it is optional
        ({"interval": 30}, {}),
    ],
)
def test_valid_input_is_not_called_invalid(body: Any, query: dict[str, Any]) -> None:
    """At 200 examples the robustness profile once called `null` (and an absent optional body)
    invalid, and the faithful mock's acceptance a fault."""
    assert declared_input_is_invalid(keepalive(body, query)) is False


@pytest.mark.parametrize(
    ("body", "query"),
    [({"interval": "x"}, {}), ({}, {"interval": 70000}), (NOT_SET, {"interval": -1})],
)
def test_invalid_input_is_called_invalid(body: Any, query: dict[str, Any]) -> None:
    assert declared_input_is_invalid(keepalive(body, query)) is True


def test_a_missing_required_body_is_invalid() -> None:
    publish = case("/mqtt/publish", "post", "/mqtt/publish", NOT_SET, {})
    assert declared_input_is_invalid(publish) is True


def _v5_case(path: str, method: str, body: Any, query: dict[str, Any], media: str) -> Any:
    raw = document("emqx-v5.yaml")
    definition = SimpleNamespace(raw=raw["paths"][path][method])
    operation = SimpleNamespace(schema=SimpleNamespace(raw_schema=raw), definition=definition)
    return SimpleNamespace(
        operation=operation,
        query=query,
        body=body,
        method=method.upper(),
        formatted_path=path,
        media_type=media,
    )


@pytest.mark.parametrize("body", [{}, 3, "mqtt.max_packet_size = 1MB"])
def test_a_text_body_is_judged_as_the_text_sent(body: Any) -> None:
    """At 200 examples on EMQX 5's PUT /configs a generated `{}` went out as the text/plain
    `{}` (a valid HOCON document) and was judged an object where a string was due."""
    put = _v5_case("/configs", "put", body, {"mode": "merge"}, "text/plain")
    assert declared_input_is_invalid(put) is False


@pytest.mark.parametrize(
    ("path", "query"),
    [("/status", {"format": ""}), ("/gateways/{name}/clients", {"username": ""})],
)
def test_an_empty_string_query_value_is_what_emqx_5_reads_it_as(
    path: str, query: dict[str, Any]
) -> None:
    """cowboy_req:parse_qs gives `<<>>`, which a `string()` or `binary` parameter takes."""
    concrete = path.replace("{name}", "coap")
    get = _v5_case(path, "get", NOT_SET, query, "application/json")
    get.formatted_path = concrete
    assert declared_input_is_invalid(get) is False
