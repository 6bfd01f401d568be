"""Helpers shared by the per-API checks, and the Schemathesis types every check is written in.

A check is `(ctx: schemathesis.CheckContext, response: schemathesis.Response, case:
OpenApiCase) -> bool | None`, the signature Schemathesis calls (`schemathesis.checks.
CheckFunction`). `OpenApiCase` is Schemathesis' own alias for a case of an OpenAPI operation
(`schemathesis.specs.openapi.schemas`); it exists for type checkers only, so each module
imports it under `TYPE_CHECKING`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TypeGuard
from urllib.parse import urlsplit

from schemathesis import Response

from mqtt_api_kit.registry import APIS, Api

if TYPE_CHECKING:
    from schemathesis.specs.openapi.schemas import OpenApiCase


def json_body(response: Response) -> Any:
    """The parsed JSON body, or None when the response is not JSON."""
    if "json" not in (response.headers.get("content-type") or [""])[0]:
        return None
    try:
        return json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return None


def is_valid_request(case: OpenApiCase) -> bool:
    """Whether Schemathesis generated this request as valid (positive) data."""
    return case.meta is None or not case.meta.generation.mode.is_negative


def is_int(value: object) -> TypeGuard[int]:
    """An integer in JSON's sense: `True` is a boolean, not 1."""
    return isinstance(value, int) and not isinstance(value, bool)


def query_int(case: OpenApiCase, name: str) -> int | None:
    value = (case.query or {}).get(name)
    if isinstance(value, bool) or value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# id of a raw document → (the document, kept alive so the id stays its own; its API)
_by_schema: dict[int, tuple[Any, Api | None]] = {}


def api_of(case: Any) -> Api | None:
    """The API whose document the case was generated from: the one whose base path its
    `servers` URL names. Each document belongs to one API, so this holds wherever the suite
    runs (our CLI, the pytest plugin, a plain `schemathesis run` with our hooks)."""
    raw = case.operation.schema.raw_schema
    key = id(raw)
    if key not in _by_schema:
        servers = raw.get("servers") or [{}]
        path = urlsplit(servers[0].get("url", "")).path.rstrip("/")
        found = next((a for a in APIS.values() if path.endswith(a.base_path)), None)
        _by_schema[key] = (raw, found)
    return _by_schema[key][1]
