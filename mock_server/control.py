"""Per-request control with Prism's names: `Prefer: code=NNN, example=NAME, delay=MS`, or the
query forms `__code`, `__example`, `__delay` for clients that cannot set headers.

`ControlStage` (outside, before authentication and routing) reads them and takes the `__`
parameters out of the query string, so no handler, filter or validation ever sees them
(EMQX's client list would count `__code` as a filter). `ForcedAnswer` (after routing, so the
operation is known, and after authentication: a forced answer is the answer a request with
valid credentials would get) answers:

* `code=NNN` (4xx/5xx): that status in the API's own shape (`Dialect.status_answer`); a 2xx
  code lets the handler answer and only changes the status;
* `example=NAME`: the named example of the operation's response in the document
  (`examples.py`), with `code` choosing the response when given;
* `delay=MS` is the latency stage's (`latency.py`).

A value the mock cannot use (`code=abc`) is the mock's own 400 `{"mock_error": …}`.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote_plus

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .auth import MOCK_EXTRAS, header
from .examples import example_answer
from .exchange import exchange_of
from .http import json_response
from .site import Site

__all__ = ["Control", "ControlStage", "ForcedAnswer", "mock_error"]

MAX_DELAY_MS = 60_000
_KEYS = ("code", "example", "delay")


@dataclass(frozen=True, slots=True)
class Control:
    code: int | None = None
    example: str | None = None
    delay: int = 0  # ms


def mock_error(message: str, status: int = 400) -> Response:
    return json_response({"mock_error": message}, status, {"X-Mock-Error": "control"})


def _parse(values: dict[str, str]) -> Control:
    code, delay = values.get("code"), values.get("delay")
    if code is not None and not (code.isdigit() and 200 <= int(code) <= 599):
        raise ValueError(f"code must be an HTTP status from 200 to 599, not {code!r}")
    if delay is not None and not (delay.isdigit() and int(delay) <= MAX_DELAY_MS):
        raise ValueError(f"delay must be 0 to {MAX_DELAY_MS} milliseconds, not {delay!r}")
    example = values.get("example")
    if example is not None and not example:
        raise ValueError("example needs a name")
    return Control(int(code) if code else None, example, int(delay) if delay else 0)


def _prefer(raw: bytes | None) -> dict[str, str]:
    """RFC 7240 preferences we know (`code=500, delay=200`); others are ignored, as the RFC
    says a server should."""
    found: dict[str, str] = {}
    for part in (raw or b"").decode("latin-1").replace(";", ",").split(","):
        key, sep, value = part.strip().partition("=")
        if sep and key.strip().lower() in _KEYS:
            found[key.strip().lower()] = value.strip().strip('"')
    return found


class ControlStage:
    def __init__(self, app: ASGIApp, *, site: Site) -> None:
        self.app, self.site = app, site

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        exchange = exchange_of(scope) if scope["type"] == "http" else None
        dialect = self.site.dialect_of(scope) if exchange is not None else None
        if exchange is None or dialect is None:
            await self.app(scope, receive, send)
            return
        values = _prefer(header(scope, b"prefer"))
        kept: list[bytes] = []
        for pair in scope.get("query_string", b"").split(b"&"):
            name, _, value = pair.partition(b"=")
            key = unquote_plus(name.decode("latin-1"))
            if key.startswith("__") and key[2:] in _KEYS:
                values[key[2:]] = unquote_plus(value.decode("latin-1"))
            elif pair:
                kept.append(pair)
        scope["query_string"] = b"&".join(kept)
        try:
            control = _parse(values)
        except ValueError as exc:
            await mock_error(str(exc))(scope, receive, send)
            return
        if control != Control():
            exchange.asked(control)
            exchange.notes.extend(f"{k}={v}" for k, v in values.items())
        await self.app(scope, receive, send)


def control_of(scope: Scope) -> Control | None:
    exchange = exchange_of(scope)
    found = exchange.control if exchange is not None else None
    return found if isinstance(found, Control) else None


class ForcedAnswer:
    def __init__(self, app: ASGIApp, *, site: Site) -> None:
        self.app, self.site = app, site

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        routed = scope.get("extensions", {}).get("connexion_routing", {}).get("operation_id")
        dialect = self.site.dialect_of(scope) if scope["type"] == "http" else None
        exchange = exchange_of(scope) if scope["type"] == "http" else None
        below = scope["path"][len(dialect.api.base_path) :] if dialect is not None else ""
        if dialect is None or exchange is None or not routed or below.startswith(MOCK_EXTRAS):
            await self.app(scope, receive, send)
            return
        exchange.routed(dialect.api.name, routed)
        control = control_of(scope)
        if control is None or (control.code is None and control.example is None):
            await self.app(scope, receive, send)
            return
        if control.example is not None:
            answer = example_answer(dialect.api, routed, control.example, control.code)
            await answer(scope, receive, send)
            return
        assert control.code is not None
        if control.code >= 300:
            await dialect.status_answer(control.code)(scope, receive, send)
            return
        status = control.code

        async def restatus(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "status": status}
            await send(message)

        await self.app(scope, receive, restatus)
