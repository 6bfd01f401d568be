"""Response builders shared by every dialect: JSON with orjson, plain text, empty bodies."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import orjson
from starlette.responses import Response


def json_response(
    payload: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    try:
        body = orjson.dumps(payload)
    except TypeError:  # an integer beyond 64 bits (brokers echo any `_limit`), or a lone
        # surrogate sent in a JSON escape: the stdlib encoder writes both as JSON
        body = json.dumps(payload, separators=(",", ":")).encode()
    return Response(body, status, headers, media_type="application/json")


def text_response(body: str, status: int, headers: Mapping[str, str] | None = None) -> Response:
    return Response(body.encode(), status, headers, media_type="text/plain")


def bare_response(body: bytes, status: int, headers: Mapping[str, str] | None = None) -> Response:
    """A body with no Content-Type at all (EMQX's 401 is sent that way)."""
    response = Response(body, status, headers)
    if "content-type" in response.headers:
        del response.headers["content-type"]
    return response
