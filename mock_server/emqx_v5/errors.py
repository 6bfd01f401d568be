"""EMQX 5 answers: real HTTP statuses, and `{"code": "<ATOM>", "message": "…"}` for errors.

minirest 1.4.4 (`minirest_handler:reply/3`) turns a handler's `{Status, Code, Message}` into
that JSON body; the codes are the atoms of `emqx/include/http_api.hrl` and of each handler.
What happens before a handler (no such route, wrong method, bad credentials, a request the
schema rejects) is answered here the way the framework answers it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..http import bare_response, json_response, text_response

# emqx_dashboard_not_found.erl: the 404 of a path no module serves, chosen by `Accept`.
_NOT_FOUND_HTML = (
    "<html><head><title>404 - NOT FOUND</title></head><body><h1>404 - NOT FOUND</h1></body></html>"
)
_NOT_FOUND_JSON = b'{"code": "NOT_FOUND", "message": "Request Path Not Found"}'
# emqx_dashboard.erl return_unauthorized/2
_REALM = {"WWW-Authenticate": 'Basic Realm="emqx-dashboard"'}


def ok(payload: Any, status: int = 200) -> Response:
    return json_response(payload, status)


def no_content() -> Response:
    """`{204}`: cowboy sends no body and no content type."""
    return bare_response(b"", 204)


def error(status: int, code: str, message: str, **extra: Any) -> Response:
    """minirest's `{Status, Code, Message}` (plus any other fields of the handler's map)."""
    return json_response({**extra, "code": code, "message": message}, status)


def not_found(message: str) -> Response:
    return error(404, "NOT_FOUND", message)


def bad_request(message: str, code: str = "BAD_REQUEST") -> Response:
    return error(400, code, message)


def route_not_found(accept: str | None) -> Response:
    """A path no API module serves: 404 before any credential check, typed by `Accept`."""
    kind = (accept or "text/html").lower()
    if kind.startswith("application/json"):
        return Response(_NOT_FOUND_JSON, 404, media_type="application/json")
    if kind.startswith("text/plain"):
        return text_response("404 - NOT FOUND", 404)
    return Response(_NOT_FOUND_HTML.encode(), 404, media_type="text/html")


def method_not_allowed(allowed: tuple[str, ...]) -> Response:
    """minirest_handler:handle/2: a known path, another method — 405, empty, `allow`."""
    return bare_response(b"", 405, {"allow": ", ".join(allowed)})


def unauthorized(code: str, message: str, challenge: bool = True) -> Response:
    """401 as emqx_dashboard:authorize/1 answers; Basic failures carry the realm."""
    body = {"code": code, "message": message}
    return json_response(body, 401, _REALM if challenge else None)


def status(code: int) -> Response:
    """What EMQX 5 sends with status `code` when it answers so (forced answers, faults): its
    401 for a bad key, its unknown-route 404 (emqx_dashboard_not_found, HTML by default), its
    crashed handler's 500 `INTERNAL_ERROR` (minirest_handler), and for any other code the
    `{code, message}` every handler's error takes, the code named after the status as
    emqx_dashboard_swagger's error codes are (`BAD_REQUEST`, `SERVICE_UNAVAILABLE`…)."""
    if code == 401:
        return unauthorized("BAD_API_KEY_OR_SECRET", "Check api_key/api_secret")
    if code == 404:
        return route_not_found(None)
    if code == 500:
        return internal_error("internal error")
    try:
        phrase = HTTPStatus(code).phrase
    except ValueError:
        phrase = "Error"
    return error(code, phrase.upper().replace(" ", "_").replace("-", "_"), phrase)


def body_not_json() -> Response:
    """minirest_body:json_decoder/1 on a JSON content type whose body does not parse."""
    return error(400, "BAD_REQUEST", "Invalid json message received")


def unsupported_media_type() -> Response:
    """emqx_dashboard_swagger:check_request_body/5: a body the operation reads as JSON came
    with another content type (minirest then keeps it as bytes)."""
    return error(415, "UNSUPPORTED_MEDIA_TYPE", "content-type:application/json Required")


def body_too_large() -> Response:
    """The mock's cap (`--max-body`). The broker reads up to cowboy's 8 MB and its handler
    process then crashes (minirest_body matches `{ok, Body, _}` against `{more, …}`)."""
    return error(413, "PAYLOAD_TOO_LARGE", "Request body is larger than the server accepts")


def internal_error(message: str) -> Response:
    """minirest_handler:apply_callback/4: a handler that crashed."""
    return error(500, "INTERNAL_ERROR", message)


def schema_error(request: Request, detail: str) -> Response:
    """A request our document rejects: emqx_dashboard_swagger's hocon check, 400 BAD_REQUEST
    with hocon's readable reason (`emqx_utils:readable_error_msg/1`). minirest decodes JSON
    and multipart bodies; any other body stays bytes, which a JSON operation answers 415."""
    kind = (request.headers.get("content-type") or "").lower()
    if _has_body(request) and not _json_type(kind) and not kind.startswith("multipart/form-data"):
        return unsupported_media_type()  # minirest kept the body as bytes
    return bad_request(_hocon_words(detail))


def _has_body(request: Request) -> bool:
    length = request.headers.get("content-length")
    return bool(length and length.strip() not in ("", "0")) or bool(
        request.headers.get("transfer-encoding")
    )


def _json_type(content_type: str | None) -> bool:
    return (content_type or "").lower().startswith("application/json")


def _hocon_words(detail: str) -> str:
    """emqx_hocon:format_error/2 writes the first hocon error as JSON."""
    reason = " ".join(detail.split()).split(" Failed validating")[0] or "bad request"
    return json.dumps({"kind": "validation_error", "reason": reason}, separators=(",", ":"))


def fields(mapping: Mapping[str, Any], *names: str) -> dict[str, Any]:
    return {name: mapping[name] for name in names if name in mapping}
