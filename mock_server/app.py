"""Assemble the ASGI app: one world, every dialect, one port.

Order of the layers (outermost first): encoded-slash path fix → Basic auth → Connexion
(routing, request validation, handlers). Connexion's error responses are replaced by the
dialect's own (EMQX answers a bad value with HTTP 200 and code 108, an unknown route with
404 `Not found.` in plain text).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import connexion
from connexion.exceptions import BadRequestProblem, ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from connexion.resolver import Resolver
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import ASGIApp

from fixtures import World, build_world

from .auth import PASS_THROUGH, BasicAuthMiddleware, Guard
from .body import BodyTapMiddleware
from .config import MockConfig
from .dialect import Dialect
from .emqx_v2 import EmqxV2
from .emqx_v4 import EmqxV4
from .hivemq import HiveMq
from .http import text_response
from .paths import EncodedSlashMiddleware

log = logging.getLogger(__name__)
# Connexion warns on every request that carries a parameter the document does not declare
# (the dashboard's `_` cache-buster); the brokers ignore those silently, and so do we.
logging.getLogger("connexion.decorators.parameter").setLevel(logging.ERROR)


def _connexion(response: Response) -> ConnexionResponse:
    """Connexion's error handlers must answer with its own response type."""
    headers = {
        k: v for k, v in response.headers.items() if k not in ("content-length", "content-type")
    }
    return ConnexionResponse(
        status_code=response.status_code,
        content_type=response.headers.get("content-type"),
        body=response.body,
        headers=headers,
    )


def default_dialects() -> list[Dialect]:
    return [EmqxV4(), EmqxV2(), HiveMq()]


def create_app(
    world: World | None = None,
    config: MockConfig | None = None,
    dialects: Sequence[Dialect] | None = None,
) -> ASGIApp:
    config = config or MockConfig()
    world = world if world is not None else build_world(config.seed, config.clients, config.nodes)
    dialects = list(dialects) if dialects is not None else default_dialects()

    app = connexion.AsyncApp(__name__, security_map=PASS_THROUGH)
    for dialect in dialects:
        table = dialect.handlers(world)
        app.add_api(
            dialect.spec_file,
            base_path=dialect.base_path,
            name=dialect.name,
            resolver=Resolver(function_resolver=table.__getitem__),
            strict_validation=False,  # brokers ignore unknown query parameters
            validate_responses=False,
        )

    def dialect_of(request: ConnexionRequest) -> Dialect | None:
        path = request.url.path
        for dialect in dialects:
            if path == dialect.base_path or path.startswith(dialect.base_path + "/"):
                return dialect
        return None

    def on_bad_request(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        dialect = dialect_of(request)
        detail = str(getattr(exc, "detail", "") or "")
        if dialect is None:
            return _connexion(text_response("Bad Request", 400))
        return _connexion(dialect.bad_request(request, detail))

    def on_not_found(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        dialect = dialect_of(request)
        return _connexion(dialect.route_not_found() if dialect else text_response("Not Found", 404))

    def on_server_error(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        # A crash in the mock is our bug; answer plainly rather than with a traceback.
        log.error("handler crashed on %s %s", request.method, request.url.path, exc_info=exc)
        return _connexion(text_response("Internal Error", 500))

    app.add_error_handler(BadRequestProblem, on_bad_request)
    app.add_error_handler(404, on_not_found)
    app.add_error_handler(405, on_not_found)
    app.add_error_handler(ProblemException, on_bad_request)
    app.add_error_handler(HTTPException, on_not_found)
    app.add_error_handler(500, on_server_error)
    app.add_error_handler(Exception, on_server_error)

    guards = [
        Guard(
            d.base_path,
            config.auth_for(d.name),
            d.unauthorized(),
            getattr(d, "open_routes", frozenset()),  # routes a broker serves without credentials
        )
        for d in dialects
    ]
    # The body tap lets a dialect answer a rejected body by its content (EMQX 108/115/116).
    asgi: ASGIApp = BasicAuthMiddleware(BodyTapMiddleware(app), guards)
    for dialect in dialects:
        wrap = getattr(dialect, "wrap", None)  # routes outside the base path (EMQX /status)
        if wrap is not None:
            asgi = wrap(asgi, world)
    return EncodedSlashMiddleware(asgi)
