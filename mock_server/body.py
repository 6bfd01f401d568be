"""Request bodies: read once, never beyond a bound, and read the way each broker reads them.

`BodyLimit` (after authentication, so an unauthenticated upload is never read) reads the whole
body of a request to a dialect into the scope, refusing it in the dialect's words once it
passes `MockConfig.max_body`: nothing is buffered without a bound, and every later stage (the
body policy, a dialect's bad-request answer) reads the same bytes with `raw_body()`.
`BodyPolicyLayer` (after routing, so an unknown route is answered as one first) applies the
dialect's `BodyPolicy`: a body the broker cannot parse gets the broker's answer, and a body the
broker reads as JSON whatever its content type is presented to validation as JSON.
"""

from __future__ import annotations

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mqtt_api_kit.openapi import document

from .auth import header
from .http import json_response
from .journal import ADMIN_BASE
from .site import Site

__all__ = ["BodyLimit", "BodyPolicyLayer", "raw_body"]

_KEY = "mqtt_api.body"
_JSON = b"application/json"
# The body types Connexion parses into form fields for a handler's arguments.
_FORMS = (b"multipart/form-data", b"application/x-www-form-urlencoded")


def raw_body(request: Request) -> bytes | None:
    """The request body as the client sent it (None for a request outside every API)."""
    body = request.scope.get(_KEY)
    return body if isinstance(body, bytes) else None


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()  # what follows the body: the client's disconnect
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def _admin_too_large() -> Response:
    return json_response({"error": "the request body is too large"}, 413)


class BodyLimit:
    def __init__(self, app: ASGIApp, *, site: Site) -> None:
        self.app, self.site = app, site
        self.cap = site.config.max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        dialect = self.site.dialect_of(scope) if scope["type"] == "http" else None
        too_large = dialect.body_too_large if dialect is not None else None
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if too_large is None and (path == ADMIN_BASE or path.startswith(ADMIN_BASE + "/")):
            too_large = _admin_too_large  # the admin API's bodies are bounded too
        if too_large is None:
            await self.app(scope, receive, send)
            return
        declared = header(scope, b"content-length")
        if declared is not None and declared.strip().isdigit() and int(declared) > self.cap:
            await too_large()(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away mid-body
                return
            chunk: bytes = message.get("body", b"")
            size += len(chunk)
            if size > self.cap:
                await too_large()(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        scope = dict(scope)
        scope[_KEY] = body
        await self.app(scope, _replay(body, receive), send)


def _multipart_parses(content_type: bytes, body: bytes) -> bool:
    """Whether a `multipart/form-data` body parses (python-multipart, Starlette's parser)."""
    _, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if not boundary:
        return False
    parser = MultipartParser(boundary, {})
    try:
        parser.write(body)
        parser.finalize()
    except MultipartParseError:
        return False
    return True


def _bodiless(site: Site) -> frozenset[tuple[str, str]]:
    """(API name, operationId) of every operation whose document declares no request body."""
    return frozenset(
        (dialect.api.name, str(op["operationId"]))
        for dialect in site.dialects
        for item in document(dialect.api.document)["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op and "requestBody" not in op
    )


class BodyPolicyLayer:
    def __init__(self, app: ASGIApp, *, site: Site) -> None:
        self.app, self.site = app, site
        self.bodiless = _bodiless(site)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        dialect = self.site.dialect_of(scope) if scope["type"] == "http" else None
        if dialect is None:  # not a request to a broker API (a lifespan event has no headers)
            await self.app(scope, receive, send)
            return
        policy = dialect.body_policy
        routed = scope.get("extensions", {}).get("connexion_routing", {}).get("operation_id")
        content_type = (header(scope, b"content-type") or _JSON).lower()
        bodiless = (dialect.api.name, routed) in self.bodiless
        if bodiless and content_type.startswith(_FORMS):
            # A handler that takes no body never reads one, so its type cannot matter; but
            # Connexion parses any form-typed body for the handler's arguments, and answered a
            # GET sent with a bare `multipart/form-data` (no boundary) with Starlette's 400,
            # which surfaced as a 404 (the HiveMQ robustness run at 200 examples found it).
            scope["headers"] = [(k, v) for k, v in scope["headers"] if k != b"content-type"]
        if policy is None or not routed or scope["method"] not in policy.methods:
            await self.app(scope, receive, send)
            return
        body: bytes = scope.get(_KEY, b"")
        if (
            not bodiless
            and content_type.startswith(b"multipart/form-data")
            and not _multipart_parses(content_type, body)
        ):
            # The form parser would raise inside Connexion (an unplanned 500); the broker's
            # multipart reader refuses such a body, so it is bad input in the API's own shape.
            await dialect.bad_request(Request(scope), "malformed multipart body")(
                scope, receive, send
            )
            return
        checked = policy.any_content_type or b"json" in content_type
        if checked and body.strip() and not policy.parses(body):
            await policy.not_json()(scope, receive, send)
            return
        if policy.any_content_type:
            headers = [(k, v) for k, v in scope["headers"] if k != b"content-type"]
            if body.strip():  # an empty body means "no parameters": no type at all
                headers.append((b"content-type", _JSON))
            scope["headers"] = headers  # the scope Connexion's routing shares with later stages
        await self.app(scope, receive, send)
