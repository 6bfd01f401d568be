"""EMQ 2.3 answers: the `{"code","result"}` envelope, business codes, and its failure shapes.

Business errors are HTTP 200 with a code (some without a message). A crash inside a handler,
like an unknown route, is 404 with an empty body; a credential failure is 401 with an empty
body and no content type. The API never answers 400 or 500.
"""

from __future__ import annotations

import json
import re

from starlette.requests import Request
from starlette.responses import Response

from ..http import bare_response, json_response, text_response

# Codes from include/emqttd_internal.hrl (2.3.11).
UNKNOWN = 102
AUTH_FAILED = 103
USER_NOT_FOUND = 105
ADMIN_UNDELETABLE = 106
MISSING_PARAMETER = 107
BAD_PARAMETER_TYPE = 108
BODY_NOT_JSON = 109
ALREADY_STARTED = 110
NOT_STARTED = 111
CLIENT_OFFLINE = 112
USER_EXISTS = 113
OLD_PASSWORD_WRONG = 114

REALM = 'Basic Realm="emqx control center"'
_JSON_ERROR = re.compile(r"line \d+ column \d+ \(char \d+\)")  # json.JSONDecodeError's text
# Body fields the 2.3 dispatcher requires somewhere (`-http_api` declarations); only these are
# type-checked, so a wrong type elsewhere reaches the handler.
_DISPATCHER_FIELDS = frozenset(
    "topic payload client_id active key value username password tags old_pwd new_pwd".split()
)
# Connexion's wording for the body faults the 2.3 dispatcher reports itself.
_NOT_JSON = ("not valid json", "invalid json", "unsupported media type", "content type")


def ok(result: object = ()) -> Response:
    """Success; action endpoints answer an empty list."""
    payload = {"code": 0, "result": list(result) if result == () else result}
    try:
        return json_response(payload)
    except TypeError:  # an echoed integer beyond 64 bits (Erlang integers are unbounded)
        body = json.dumps(payload, separators=(",", ":")).encode()
        return Response(body, 200, media_type="application/json")


def error(code: int, message: str | None = None) -> Response:
    body: dict[str, object] = {"code": code}
    if message is not None:
        body["message"] = message
    return json_response(body)


def unauthorized() -> Response:
    return bare_response(b"", 401, {"WWW-Authenticate": REALM})


def crashed() -> Response:
    """What the dispatcher answers when a handler crashes (or no single route matches)."""
    return text_response("", 404)


def bad_request(request: Request, detail: str) -> Response:
    """Answer a request the document rejected as 2.3's dispatcher (or handler) would.

    GET parameters are never checked by the dispatcher: a bad `curr_page`/`page_size` crashes
    the handler (404). For bodies, the dispatcher checks only the presence (107) and JSON type
    (108) of required fields, and that a body is JSON (109); anything stricter our document
    asks for (an enum, a minimum) is a value the handler then trips over — a crash, 404.
    """
    text = detail.lower()
    if request.method == "GET":
        return crashed()
    if any(marker in text for marker in _NOT_JSON) or _JSON_ERROR.search(detail):
        return error(BODY_NOT_JSON, "Body not json")
    if any(m in text for m in ("is a required property", "body is required", "must not be empty")):
        return error(MISSING_PARAMETER, "params error")
    if "is not of type" in text and _field_of(detail) in _DISPATCHER_FIELDS:
        return error(BAD_PARAMETER_TYPE, "params type error")
    return crashed()


def _field_of(detail: str) -> str:
    """The body field a Connexion message names (`… is not of type 'string' - 'topic'`)."""
    _, sep, tail = detail.rpartition(" - ")
    return tail.strip().strip("'") if sep else ""


def status(code: int) -> Response:
    """What EMQ 2.3 sends with status `code`: its 401 and its 404 (empty, text/plain) as
    above; any other code through the catch-all `respond(Req, Code, Data)` of
    emqttd_http.erl (text/plain, the data: empty)."""
    if code == 401:
        return unauthorized()
    if code == 404:
        return crashed()
    return text_response("", code)
