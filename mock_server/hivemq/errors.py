"""HiveMQ error answers: `{"errors":[{"title","detail"}]}` with a 4xx/5xx status.

Titles are the fixed phrases of HiveMQ's reference document (4.30.0); where the reference is
silent (401, unknown routes, a referenced schema) the same shape is used and
`openapi/hivemq.yaml` says so.
"""

from __future__ import annotations

import re
from http import HTTPStatus

from starlette.requests import Request
from starlette.responses import Response

from mqtt_api_kit.fixtures.datahub_model import DataHubError
from mqtt_api_kit.openapi.operations import operations
from mqtt_api_kit.registry import HIVEMQ

from ..http import json_response
from . import serialize, serialize_datahub

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
POLICY_NOT_PARSABLE = "Policy not parsable"
POLICY_NOT_VALID = "Policy is not valid"
SCRIPT_PRESENT = "Script already present"
SCRIPT_NOT_PARSABLE = "Script not parsable"
CLIENT_NOT_FOUND = "Client not found"
CLIENT_DISCONNECTED = "Client disconnected"
BACKUP_NOT_RESTORABLE = "Backup not restorable"

# A refused Data Hub write (`DataHubError.kind`) → HiveMQ's status and title.
DATAHUB: dict[str, tuple[int, str]] = {
    "invalid": (400, POLICY_NOT_VALID),
    "schema-missing": (400, "Referenced schema does not exist"),
    "script-missing": (400, "Referenced script does not exist"),
    "id-used": (400, "Policy id already used"),
    "not-found": (404, "Referenced policy not found"),
    "id-mismatch": (400, "Policy id mismatch"),
    "topic-filter-changed": (400, "Topic filter does not match"),
    "etag": (412, "Precondition Failed"),
    "schema-referenced": (400, "Schema referenced"),
    "script-referenced": (400, "Script referenced"),
    "trial-running": (400, "Trial mode already running"),
    "trial-expired": (400, "Trial mode already expired"),
    "storage": (507, "Insufficient storage"),
}


def _limit_ranges() -> dict[str, tuple[int, int]]:
    """Path → the `limit` range its operation declares (clients 50–2500, the Data Hub lists
    10–500): the document's minimum and maximum."""
    ranges: dict[str, tuple[int, int]] = {}
    for op in operations(HIVEMQ.document):
        limit = op.parameter("limit")
        if limit is not None:
            schema = limit["schema"]
            ranges[HIVEMQ.base_path + op.path] = (int(schema["minimum"]), int(schema["maximum"]))
    return ranges


_LIMITS = _limit_ranges()
# The names `?fields=` may list, by the kind of object of a Data Hub path (what the
# serialisers write; scripts also accept the reference's `runtime`, which no script has).
FIELDS = {
    "schemas": serialize.SCHEMA_FIELDS,
    "scripts": (*serialize_datahub.SCRIPT_FIELDS, "runtime"),
    "data-validation": serialize_datahub.DATA_POLICY_FIELDS,
    "behavior-validation": serialize_datahub.BEHAVIOR_POLICY_FIELDS,
}
_LISTS = {"types": ("JSON", "PROTOBUF"), "functionTypes": ("TRANSFORMATION",)}
_WRITES = ("POST", "PUT", "PATCH")
_BOOLEANS = ("true", "false")
_POLICY_PATH = re.compile(r"^/api/v1/data-hub/(data|behavior)-validation/policies(/[^/]+)?$")


def error(status: int, title: str, detail: str, headers: dict[str, str] | None = None) -> Response:
    return json_response({"errors": [{"title": title, "detail": detail}]}, status, headers)


def datahub(exc: DataHubError) -> Response:
    status, title = DATAHUB[exc.kind]
    return error(status, title, exc.detail)


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


def fields_of(path: str) -> tuple[str, ...] | None:
    """The `fields` names of the Data Hub path's objects, None for other paths."""
    parts = path.rstrip("/").split("/")
    if len(parts) < 5 or parts[3] != "data-hub":
        return None
    return FIELDS.get(parts[4])


def bad_request(request: Request, detail: str) -> Response:
    """Name the query parameter the document rejected, as HiveMQ's `Parameter invalid` does;
    a rejected body is an `Invalid resource` — for a policy, `Policy is not valid` when a
    field is missing or breaks a pattern, `Policy not parsable` when it has the wrong type
    (one that does not parse never gets here: the dialect's body policy answers it)."""
    params = request.query_params
    path = request.url.path.rstrip("/")
    # Only a list that declares `limit` reads it; elsewhere it is an unknown parameter, which
    # HiveMQ (JAX-RS) ignores.
    limits = _LIMITS.get(path)
    if limits is not None and "limit" in params and not _limit_ok(params["limit"], *limits):
        low, high = limits
        return parameter_invalid("limit", f", it must be between {low} and {high}")
    value = params.get("preventWillMessage")
    if value is not None and value.lower() not in _BOOLEANS:
        return parameter_invalid("preventWillMessage", ", it must be true or false")
    allowed = fields_of(path)
    if allowed is not None and "fields" in params:
        if not set(params["fields"].split(",")) <= set(allowed):
            return parameter_invalid("fields", f", allowed values are {', '.join(allowed)}")
    for name, values in _LISTS.items():
        if name in params and not set(params[name].split(",")) <= set(values):
            return parameter_invalid(name, f", allowed values are {', '.join(values)}")
    topic = params.get("topic") if path.endswith("/data-validation/policies") else None
    if topic is not None and (not topic or "+" in topic or "#" in topic):
        return parameter_invalid("topic", ", it must be a topic name without wildcards")
    if request.method in _WRITES and detail == "RequestBody is required":  # Connexion's words
        return error(400, PARAMETER_MISSING, "Required body entity parameter is missing")
    if request.method == "POST" and path.endswith("/management/trace-recordings"):
        if "is a required property" in detail:  # the reference's own words
            detail = "The fields {name, events, startAt, endAt} must be specified at creation"
        return error(400, INVALID_RESOURCE, detail or "The trace recording is invalid")
    if request.method in _WRITES and _POLICY_PATH.match(path):
        if "is a required property" in detail or "does not match" in detail:
            return error(400, POLICY_NOT_VALID, detail)
        return error(400, POLICY_NOT_PARSABLE, "The submitted policy can not be parsed: " + detail)
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
