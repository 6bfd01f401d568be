"""Helpers shared by the per-API checks."""

from __future__ import annotations

import json
from typing import Any


def json_body(response: Any) -> Any:
    """The parsed JSON body, or None when the response is not JSON."""
    if "json" not in (response.headers.get("content-type") or [""])[0]:
        return None
    try:
        return json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return None


def is_valid_request(case: Any) -> bool:
    """Whether Schemathesis generated this request as valid (positive) data."""
    meta = getattr(case, "meta", None)
    return meta is None or not meta.generation.mode.is_negative


def query_int(case: Any, name: str) -> int | None:
    value = (case.query or {}).get(name)
    if isinstance(value, bool) or value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
