"""The 2.3 dispatcher's body handling, for bodies the OpenAPI layer passed through unparsed.

2.3 reads every non-GET body as JSON whatever its Content-Type (`curl -d` sends a form type),
so a body Connexion did not parse arrives here as bytes: decode it (109 if it is not JSON) and
check the required fields for presence (107) and JSON type (108), as `emqttd_http` does.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

from . import errors

_TYPES: dict[type, tuple[type, ...]] = {str: (str,), int: (int,), bool: (bool,)}


def parse(body: Any, required: dict[str, type]) -> dict[str, Any] | Response:
    """The body as a dict of parameters, or the dispatcher's error answer."""
    if isinstance(body, (bytes, str)):
        text = body.encode() if isinstance(body, str) else body
        if not text.strip():
            body = {}
        else:
            try:
                body = orjson.loads(text)
            except orjson.JSONDecodeError:
                return errors.error(errors.BODY_NOT_JSON, "Body not json")
    if body is None:
        body = {}
    if not isinstance(body, dict):
        return errors.crashed()  # a JSON array or scalar is no property list
    if any(name not in body for name in required):
        return errors.error(errors.MISSING_PARAMETER, "params error")
    for name, kind in required.items():
        value = body[name]
        wrong_bool = kind is int and isinstance(value, bool)
        if not isinstance(value, _TYPES[kind]) or wrong_bool:
            return errors.error(errors.BAD_PARAMETER_TYPE, "params type error")
    return body


class Crash(Exception):
    """An optional field the handler cannot use: the broker's handler crashes (404)."""


def optional(body: dict[str, Any], name: str, default: Any, allowed: tuple[Any, ...] = ()) -> Any:
    """An optional field of the type of `default` (and among `allowed`, when given)."""
    value = body.get(name, default)
    if type(value) is not type(default) or (allowed and value not in allowed):
        raise Crash(name)
    return value
