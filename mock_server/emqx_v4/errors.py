"""EMQX 4.x error answers: business errors are HTTP 200 with a numeric `code`."""

from __future__ import annotations

from http import HTTPStatus

from starlette.requests import Request
from starlette.responses import Response

from ..http import bare_response, json_response, text_response
from . import filters

# Codes from emqx_mgmt.hrl (4.4.19).
ERROR_RPC = 101
ERROR_UNKNOWN = 102
MISSING_PARAMETER = 107
BAD_PARAMETER = 108
CLIENT_NOT_FOUND = 112
NO_VALID_TOPIC = 115
BAD_QOS = 116

# Paging parameters: the broker itself crashes (500) on these; the mock answers cleanly.
_PAGING = ("_page", "_limit")


def envelope(fields: dict[str, object]) -> dict[str, object]:
    """minirest's answer map as jiffy writes it: a small Erlang map's keys in descending
    order (EMQX's own t_keepalive compares `{"message":"not_found","code":112}` byte for
    byte)."""
    return dict(sorted(fields.items(), reverse=True))


def ok(**fields: object) -> Response:
    return json_response(envelope({"code": 0, **fields}))


def error(code: int, message: str) -> Response:
    return json_response(envelope({"code": code, "message": message}))


def message(text: str) -> Response:
    """An error the broker reports without a code (plugins, listeners, alarms, data, apps)."""
    return json_response({"message": text})


def unauthorized() -> Response:
    return bare_response(
        b"UNAUTHORIZED", 401, {"WWW-Authenticate": 'Basic Realm="minirest-server"'}
    )


def route_not_found() -> Response:
    return text_response("Not found.", 404)


def erlang_binary(value: str) -> str:
    """How the broker prints a binary in its messages: <<"abc">>."""
    return '<<"' + value.replace("\\", "\\\\").replace('"', '\\"') + '">>'


def body_not_json() -> Response:
    """minirest's answer to a body that is not valid JSON (reference §3.3)."""
    return text_response("Bad Request", 400)


def bad_request(request: Request) -> Response:
    """Answer a request the document rejected the way 4.3.3+ answers a bad filter value."""
    for name, value in request.query_params.multi_items():
        if name in _PAGING and not _is_int(value, minimum=0 if name == "_limit" else None):
            if _is_int(value):
                return error(BAD_PARAMETER, f"{name} must not be negative: {erlang_binary(value)}")
            return error(BAD_PARAMETER, f"Can't convert {erlang_binary(value)} to integer type")
        word = filters.TYPE_WORDS.get(name)
        if word is not None and not filters.converts(word, value):
            return error(BAD_PARAMETER, f"Can't convert {erlang_binary(value)} to {word} type")
    return error(BAD_PARAMETER, "bad_params")


def _is_int(value: str, minimum: int | None = None) -> bool:
    try:
        number = int(value, 10)
    except ValueError:
        return False
    return minimum is None or number >= minimum


def status(code: int) -> Response:
    """What EMQX 4.4 sends with status `code` when it answers so (forced answers, faults):
    401 and 404 as above, 400 minirest's `Bad Request`, 500 minirest's `Internal Error` in plain
    text (a crashed handler: minirest.erl `internal_error/3`); any other code as minirest
    sends a handler's `{Code, Response}`: JSON (minirest_handler.erl `jsonify/3`)."""
    if code == 401:
        return unauthorized()
    if code == 404:
        return route_not_found()
    if code == 400:
        return body_not_json()
    if code == 500:
        return text_response("Internal Error", 500)
    return json_response(
        {"message": HTTPStatus(code).phrase if code in _PHRASES else "error"}, code
    )


_PHRASES = {s.value for s in HTTPStatus}
