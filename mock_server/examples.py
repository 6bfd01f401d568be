"""`Prefer: example=NAME`: a named example of an operation's response, from its document.

Looked up in the operation's responses (the one for `code` when given, else the first 2xx),
in the media type's `examples` map (`$ref`s to `components/examples` and
`components/responses` followed). An operation without that example gets the mock's own 404
`{"mock_error": …}` naming the examples it has, so a typo is never mistaken for an answer.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from starlette.responses import Response

from mqtt_api_kit.openapi import document
from mqtt_api_kit.registry import Api

from .http import json_response

__all__ = ["example_answer", "examples_of"]


@functools.cache
def _operations(doc_name: str) -> Mapping[str, Mapping[str, Any]]:
    doc = document(doc_name)
    return {
        op["operationId"]: op
        for item in doc.get("paths", {}).values()
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
    }


def _deref(doc: Mapping[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = doc
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def examples_of(api: Api, operation_id: str, code: int | None = None) -> dict[str, Any]:
    """status, media type and named examples of the chosen response of the operation."""
    doc = document(api.document)
    operation = _operations(api.document).get(operation_id, {})
    responses = operation.get("responses", {})
    chosen = (
        str(code) if code is not None else next((s for s in responses if s.startswith("2")), None)
    )
    response = _deref(doc, responses.get(chosen)) if chosen in responses else None
    if not isinstance(response, dict):
        return {"status": chosen, "media": None, "examples": {}}
    for media, content in (response.get("content") or {}).items():
        named = {k: _deref(doc, v) for k, v in (content.get("examples") or {}).items()}
        return {"status": chosen, "media": media, "examples": named}
    return {"status": chosen, "media": None, "examples": {}}


def example_answer(api: Api, operation_id: str, name: str, code: int | None) -> Response:
    found = examples_of(api, operation_id, code)
    example = found["examples"].get(name)
    if not isinstance(example, dict) or "value" not in example:
        names = ", ".join(found["examples"]) or "none"
        return json_response(
            {"mock_error": f"{operation_id} has no example named {name!r} (it has: {names})"},
            404,
            {"X-Mock-Error": "control"},
        )
    status = int(found["status"]) if str(found["status"]).isdigit() else 200
    return json_response(example["value"], status)
