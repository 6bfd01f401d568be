"""HiveMQ error answers: `{"errors":[{"title","detail"}]}` with a 4xx/5xx status.

Titles are the fixed phrases of HiveMQ's reference document (4.30.0); where the reference is
silent (401, unknown routes) the same shape is used and `openapi/hivemq.yaml` says so.
"""

from __future__ import annotations

from http import HTTPStatus

from starlette.requests import Request
from starlette.responses import Response

from mqtt_api_kit.openapi.operations import operations
from mqtt_api_kit.registry import HIVEMQ

from ..http import json_response

NOT_FOUND = "Resource not found"
PARAMETER_INVALID = "Parameter invalid"
CURSOR_EXPIRED = "Cursor not valid anymore"
NOT_ACTIVE = "Endpoint not active yet"
UNAUTHORIZED = "Unauthorized"
INVALID_RESOURCE = "Invalid resource"
SCHEMA_PRESENT = "Schema already present"
SCHEMA_NOT_PARSABLE = "Schema not parsable"
INVALID_INPUT = "Invalid input"
PARAMETER_MISSING = "Required parameter missing"
TOO_LARGE = "Request entity too large"


def _limit_ranges() -> dict[str, tuple[int, int]]:
    """Path → the `limit` range its operation declares (clients 50–2500, Data Hub schemas
    10–500): the document's minimum and maximum."""
    ranges: dict[str, tuple[int, int]] = {}
    for op in operations(HIVEMQ.document):
        limit = op.parameter("limit")
        if limit is not None:
            schema = limit["schema"]
            ranges[HIVEMQ.base_path + op.path] = (int(schema["minimum"]), int(schema["maximum"]))
    return ranges


_LIMITS = _limit_ranges()
_WRITES = ("POST", "PUT", "PATCH")
# Comma-separated list parameters and their allowed values.
_LISTS = {
    "fields": {"id", "version", "type", "schemaDefinition", "createdAt", "arguments"},
    "types": {"JSON", "PROTOBUF"},
}
_BOOLEANS = ("true", "false")


def error(status: int, title: str, detail: str, headers: dict[str, str] | None = None) -> Response:
    return json_response({"errors": [{"title": title, "detail": detail}]}, status, headers)


def not_found(resource_id: str) -> Response:
    return error(404, NOT_FOUND, f"Resource with id '{resource_id}' not found")


def parameter_invalid(name: str, why: str = "") -> Response:
    return error(400, PARAMETER_INVALID, f"Query parameter '{name}' is invalid{why}")


def invalid_cursor() -> Response:
    return parameter_invalid("cursor", ", it was not issued by this broker")


def cursor_expired() -> Response:
    return error(
        410,
        CURSOR_EXPIRED,
        "The passed cursor is not valid anymore, you can request this resource without a "
        "cursor to start from the beginning",
    )


def unauthorized() -> Response:
    return error(
        401,
        UNAUTHORIZED,
        "Valid credentials are required to access the REST API",
        {"WWW-Authenticate": 'Basic realm="HiveMQ"'},
    )


def route_not_found() -> Response:
    return error(404, NOT_FOUND, "No resource exists at this URL")


def bad_request(request: Request, detail: str) -> Response:
    """Name the query parameter the document rejected, as HiveMQ's `Parameter invalid` does;
    a rejected body is an `Invalid resource` (one that does not parse never gets here: the
    dialect's body policy answers it)."""
    params = request.query_params
    # Only a list that declares `limit` reads it; elsewhere it is an unknown parameter, which
    # HiveMQ (JAX-RS) ignores.
    limits = _LIMITS.get(request.url.path.rstrip("/"))
    if limits is not None and "limit" in params and not _limit_ok(params["limit"], *limits):
        low, high = limits
        return parameter_invalid("limit", f", it must be between {low} and {high}")
    value = params.get("preventWillMessage")
    if value is not None and value.lower() not in _BOOLEANS:
        return parameter_invalid("preventWillMessage", ", it must be true or false")
    for name, allowed in _LISTS.items():
        if name in params and not set(params[name].split(",")) <= allowed:
            return parameter_invalid(name, f", allowed values are {', '.join(sorted(allowed))}")
    if request.method in _WRITES and detail == "RequestBody is required":  # Connexion's words
        return error(400, PARAMETER_MISSING, "Required body entity parameter is missing")
    if request.method in _WRITES:
        return error(400, INVALID_RESOURCE, detail or "The request body is not a valid resource")
    return error(400, PARAMETER_INVALID, detail or "The request is invalid")


def _limit_ok(value: str, low: int, high: int) -> bool:
    try:
        number = int(value, 10)
    except ValueError:
        return False
    return low <= number <= high


def status(code: int) -> Response:
    """HiveMQ's `errors[]` shape with status `code` (forced answers, faults): its 401 and
    unknown-route 404 as above; other codes with the HTTP reason phrase as the title (the
    reference document names no titles for them)."""
    if code == 401:
        return unauthorized()
    if code == 404:
        return route_not_found()
    phrase = HTTPStatus(code).phrase if code in {s.value for s in HTTPStatus} else "Error"
    return error(code, phrase, f"The request could not be served ({code} {phrase})")
