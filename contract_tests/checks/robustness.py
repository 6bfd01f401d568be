"""The robustness profile's verdict on invalid input: rejected the API's own way, or a defect.

Schemathesis' negative mode also counts things brokers rightly ignore as "invalid" (undeclared
headers, unknown query parameters — EMQX documents that it ignores them). So a request is
judged only when our document itself says it is invalid: its declared parameters and body are
re-validated with openapi-core, and requests that turn out valid are left alone.

What a rejection looks like depends on the API family (`MQTT_API_FAMILY`, set by the runner):

* EMQX (v4 and v2) answer business errors with HTTP 200 and a non-zero `code`; a documented
  4xx (404 `Not found.` for a path that matches no route, 400 for a body that is not JSON) is a
  rejection too. HTTP 200 with `code` 0 means the invalid input was accepted.
* HiveMQ rejects with a 4xx whose body carries `errors[]`.

A 5xx is never a rejection: the broker crashed on input it should have refused.
"""

from __future__ import annotations

import json
import os
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import schemathesis
from openapi_core import OpenAPI
from openapi_core.exceptions import OpenAPIError
from openapi_core.testing import MockRequest
from openapi_core.validation.request.validators import (
    V30RequestBodyValidator,
    V30RequestParametersValidator,
)

from .common import is_valid_request, json_body

FAMILY_ENV = "MQTT_API_FAMILY"


def _emqx_rejected(status: int, body: Any) -> bool:
    if 400 <= status < 500:
        return True
    return status == 200 and isinstance(body, dict) and body.get("code", 0) != 0


def _hivemq_rejected(status: int, body: Any) -> bool:
    return 400 <= status < 500 and isinstance(body, dict) and bool(body.get("errors"))


_RULES = {"emqx": _emqx_rejected, "hivemq": _hivemq_rejected}


Validators = tuple[str, str, V30RequestParametersValidator, V30RequestBodyValidator]


@cache
def _validators(raw_json: str) -> Validators:
    """(host, base path, parameter and body validators) of one document."""
    raw = json.loads(raw_json)
    api = OpenAPI.from_dict(raw)
    server = urlsplit((raw.get("servers") or [{"url": "http://localhost/"}])[0]["url"])
    host = f"{server.scheme or 'http'}://{server.netloc or 'localhost'}"
    return (
        host,
        server.path.rstrip("/"),
        V30RequestParametersValidator(api.spec),
        V30RequestBodyValidator(api.spec),
    )


def _scalar(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


def declared_input_is_invalid(case: Any) -> bool | None:
    """True/False per our document; None when the request cannot be judged reliably."""
    host, base, params, bodies = _validators(json.dumps(case.operation.schema.raw_schema))
    query: dict[str, str] = {}
    for name, value in (case.query or {}).items():
        text = _scalar(value)
        if text is None:
            return None  # repeated or structured values: how a broker reads them is undefined
        query[name] = text
    body = getattr(case, "body", None)
    has_body = isinstance(body, (dict, list, str, int, float, bool)) or body is None
    request = MockRequest(
        host,
        case.method.lower(),
        base + case.formatted_path,
        args=query,
        data=json.dumps(body) if has_body and body is not None else None,
        content_type="application/json",
    )
    try:
        params.validate(request)
        if case.operation.definition.raw.get("requestBody") is not None:
            bodies.validate(request)
    except OpenAPIError:
        return True
    return False


@schemathesis.check
def rejects_invalid_input(ctx: Any, response: Any, case: Any) -> bool | None:
    """Invalid input is refused in the API's own error shape; 5xx is a broker defect."""
    if is_valid_request(case):
        return None
    if response.status_code >= 500:
        raise AssertionError(
            f"broker defect: invalid input crashed the server (HTTP {response.status_code})"
        )
    rule = _RULES.get(os.environ.get(FAMILY_ENV, ""))
    if rule is None or rule(response.status_code, json_body(response)):
        return None
    if not declared_input_is_invalid(case):
        return None  # only undeclared extras were "invalid": brokers ignore those
    raise AssertionError(
        f"invalid input was accepted: HTTP {response.status_code} "
        f"{response.content[:200]!r} — expected the API's own rejection"
    )
