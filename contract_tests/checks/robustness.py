"""The robustness profile's verdict on invalid input: rejected the API's own way, or a defect.

Schemathesis' negative mode also counts things brokers rightly ignore as "invalid" (undeclared
headers, unknown query parameters — EMQX documents that it ignores them). So a request is
judged only when our document itself says it is invalid: its declared parameters and body are
re-validated with openapi-core, and requests that turn out valid are left alone.

What a rejection looks like depends on the API family (of the document the case came from):

* EMQX (v4 and v2) answer business errors with HTTP 200 and a non-zero `code`; a documented
  4xx (404 `Not found.` for a path that matches no route, 400 for a body that is not JSON) is a
  rejection too. HTTP 200 with `code` 0 means the invalid input was accepted.
* HiveMQ rejects with a 4xx whose body carries `errors[]`.

A 5xx is never a rejection: the broker crashed on input it should have refused.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import schemathesis
from openapi_core import OpenAPI
from openapi_core.exceptions import OpenAPIError
from openapi_core.testing import MockRequest
from openapi_core.validation.request.exceptions import MissingRequestBody
from openapi_core.validation.request.validators import (
    V30RequestBodyValidator,
    V30RequestParametersValidator,
)
from schemathesis import CheckContext, Response
from schemathesis.core.transforms import to_wire_text

from .common import api_of, is_valid_request, json_body

if TYPE_CHECKING:
    from schemathesis.specs.openapi.schemas import OpenApiCase


def _emqx_rejected(status: int, body: Any) -> bool:
    if 400 <= status < 500:
        return True
    return status == 200 and isinstance(body, dict) and body.get("code", 0) != 0


def _hivemq_rejected(status: int, body: Any) -> bool:
    return 400 <= status < 500 and isinstance(body, dict) and bool(body.get("errors"))


_RULES = {"emqx": _emqx_rejected, "hivemq": _hivemq_rejected}


Validators = tuple[str, str, V30RequestParametersValidator, V30RequestBodyValidator]

# id(raw document) → (the document, its validators). A run has one document; keying on its
# identity (and keeping it alive, so the id cannot be reused) spares serialising the whole
# document on every judged case, which a cache keyed on its JSON text did.
_built: dict[int, tuple[Mapping[str, Any], Validators]] = {}


def _validators(raw: Mapping[str, Any]) -> Validators:
    """(host, base path, parameter and body validators) of one document."""
    known = _built.get(id(raw))
    if known is not None and known[0] is raw:
        return known[1]
    # A private copy: openapi-core must not see (or keep) a document Schemathesis changes.
    api = OpenAPI.from_dict(json.loads(json.dumps(raw)))
    server = urlsplit((raw.get("servers") or [{"url": "http://localhost/"}])[0]["url"])
    host = f"{server.scheme or 'http'}://{server.netloc or 'localhost'}"
    built = (
        host,
        server.path.rstrip("/"),
        V30RequestParametersValidator(api.spec),
        V30RequestBodyValidator(api.spec),
    )
    _built[id(raw)] = (raw, built)
    return built


def _scalar(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


def declared_input_is_invalid(case: OpenApiCase) -> bool | None:
    """True/False per our document; None when the request cannot be judged reliably."""
    host, base, params, bodies = _validators(case.operation.schema.raw_schema)
    query: dict[str, str] = {}
    for name, value in (case.query or {}).items():
        text = _scalar(value)
        if text is None:
            return None  # repeated or structured values: how a broker reads them is undefined
        query[name] = text
    body = case.body
    # openapi-core reads the body as the bytes on the wire. `None` is a JSON `null` body that
    # was sent (`--data-binary null`), not an absent one: read as absent, a body the document
    # makes nullable was judged "missing" and a broker accepting it a fault (found at 200
    # examples on PUT /clients/{clientid}/keepalive). NOT_SET and binary bodies are sent as
    # none at all here (the body check below then judges a required body as missing).
    sent = body is None or isinstance(body, (dict, list, str, int, float, bool))
    data = json.dumps(body).encode() if sent else None
    # A text body (EMQX 5's `PUT /configs` takes HOCON as text/plain) is judged as the text
    # it is, under its own media type, not as a JSON string. A generated object or number
    # goes on the wire as its text (Schemathesis' text/plain serializer, to_wire_text), and
    # that text is what the broker reads: `{}` sent as text/plain is a valid HOCON document
    # (found at 200 examples on PUT /configs, where it was judged "an object, not a string").
    media = getattr(case, "media_type", None) or "application/json"
    if media.startswith("text/") and sent and body is not None:
        data = to_wire_text(body).encode()
    else:
        media = "application/json"
    request = MockRequest(
        host,
        case.method.lower(),
        base + case.formatted_path,
        args=query,
        data=data,
        content_type=media,
    )
    try:
        params.validate(request)
        if case.operation.definition.raw.get("requestBody") is not None:
            bodies.validate(request)
    except MissingRequestBody:
        # openapi-core's body validator raises this for an absent body the operation does not
        # require (its combined validator swallows it); an absent optional body is valid.
        return False
    except OpenAPIError:
        return True  # MissingRequiredRequestBody included
    return False


@schemathesis.check
def rejects_invalid_input(ctx: CheckContext, response: Response, case: OpenApiCase) -> bool | None:
    """Invalid input is refused in the API's own error shape; 5xx is a broker defect."""
    if is_valid_request(case):
        return None
    if response.status_code >= 500:
        # Only input our document calls invalid is judged here: a request whose "invalid"
        # parts are undeclared extras (or that cannot be judged) is a valid request to the
        # broker, and its 5xx belongs to that valid input — EMQX 5's documented 500 NODE_DOWN
        # for a `node` not in the cluster. `not_a_server_error` still judges every 5xx.
        if declared_input_is_invalid(case) is not True:
            return None
        raise AssertionError(
            f"broker defect: invalid input crashed the server (HTTP {response.status_code})"
        )
    api = api_of(case)
    rule = _RULES.get(api.family) if api is not None else None
    if rule is None or rule(response.status_code, json_body(response)):
        return None
    if not declared_input_is_invalid(case):
        return None  # only undeclared extras were "invalid": brokers ignore those
    raise AssertionError(
        f"invalid input was accepted: HTTP {response.status_code} "
        f"{response.content[:200]!r} — expected the API's own rejection"
    )
