"""Assemble the ASGI app: one world, every dialect, one port.

Connexion routes and validates from the documents (each parsed once, `mqtt_api_kit.openapi`,
and turned into a Connexion specification once, `specs.py`);
its error answers are replaced by the dialect's own (EMQX answers a bad value with HTTP 200
and code 108, an unknown route with 404 `Not found.` in plain text). The stages around and
inside it are declared in one list, `pipeline.PIPELINE`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from connexion.exceptions import BadRequestProblem, ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from connexion.resolver import Resolver
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.fixtures.scenario import Scenario
from mqtt_api_kit.openapi import document_copy

from . import specs
from .admin import ADMIN_BASE, ADMIN_DOCUMENT, AdminApi, admin_error
from .auth import PASS_THROUGH
from .config import MockConfig
from .dialect import Dialect
from .emqx_v2 import EmqxV2
from .emqx_v4 import EmqxV4
from .emqx_v5 import EmqxV5
from .hivemq import HiveMq
from .http import text_response
from .pipeline import PIPELINE, Stage, assemble
from .prepared import PreparedApp, prepared_validators
from .runtime import Runtime, Sizes, build
from .site import Site

__all__ = ["DialectFactory", "create_app", "default_dialects"]

log = logging.getLogger(__name__)

DialectFactory = Callable[[World, MockConfig], Dialect]


def default_dialects() -> list[DialectFactory]:
    return [EmqxV4, EmqxV2, HiveMq, EmqxV5]


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


def _starlette(request: ConnexionRequest) -> Request:
    """The request as Starlette sees it, for the dialects. Connexion's wrapper resolves
    `query_params` into a plain dict through its URI parser, which error handlers do not get;
    the dialects read the raw query (repeated keys included) and the body kept in the scope."""
    return Request(request.scope)


def create_app(
    world: World | None = None,
    config: MockConfig | None = None,
    dialects: Sequence[DialectFactory] | None = None,
    stages: tuple[Stage, ...] = PIPELINE,
    scenario: Scenario | None = None,
) -> ASGIApp:
    """The mock over `world` (default: built from `config` and its scenario), serving every
    dialect. A `world` built elsewhere is rebuilt by a reset from its own seed and sizes, or
    from `config` and `scenario` when it was built from them (the CLI)."""
    # Connexion logs an *error* on every request that carries a query parameter the document
    # does not declare to a handler taking `**kwargs` (the dashboard's `_` cache-buster); the
    # brokers ignore those silently, and so does the mock. Set when a mock is built, never on
    # import (tests/test_public_surface.py).
    logging.getLogger("connexion.decorators.parameter").setLevel(logging.CRITICAL)
    # …and, for an operation that takes two body types (EMQX 5's user import), on every call.
    logging.getLogger("connexion.operations.openapi3").setLevel(logging.ERROR)
    config = config or MockConfig()
    if world is None:
        scenario = scenario or Runtime.scenario_of(config)
        runtime = Runtime(build(config, scenario), config, scenario)
    elif scenario is not None or config.scenario:
        runtime = Runtime(world, config, scenario)
    else:
        origin = Sizes(world.seed, world.client_count(), len(world.nodes))
        runtime = Runtime(world, config, origin=origin)
    world = runtime.world
    factories = dialects if dialects is not None else default_dialects()
    site = Site.of([factory(world, config) for factory in factories], config, runtime)
    runtime.on_boot(*(dialect.boot for dialect in site.dialects))

    app = PreparedApp(__name__, security_map=PASS_THROUGH)
    validators = prepared_validators()
    for dialect in site.dialects:
        table = dialect.handlers()
        specs.register(
            app,
            specs.specification(dialect.api.document),
            base_path=dialect.api.base_path,
            name=dialect.api.name,
            resolver=Resolver(function_resolver=table.__getitem__),
            strict_validation=False,  # brokers ignore unknown query parameters
            validate_responses=False,
            validator_map=validators,
        )
    app.add_api(
        document_copy(ADMIN_DOCUMENT),
        base_path=ADMIN_BASE,
        name="mock-admin",
        resolver=Resolver(function_resolver=AdminApi(runtime).handlers().__getitem__),
        validate_responses=True,  # nobody else checks the admin API's answers
    )

    def on_bad_request(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        dialect = site.dialect_for(request.url.path)
        detail = str(getattr(exc, "detail", "") or "")
        if request.url.path.startswith(ADMIN_BASE + "/"):
            return _connexion(admin_error(detail or "bad request", 400))
        if dialect is None:
            return _connexion(text_response("Bad Request", 400))
        return _connexion(dialect.bad_request(_starlette(request), detail))

    def on_not_found(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        dialect = site.dialect_for(request.url.path)
        if dialect is None and request.url.path.startswith(ADMIN_BASE + "/"):
            return _connexion(admin_error(f"no admin route {request.url.path}", 404))
        if dialect is None:
            return _connexion(text_response("Not Found", 404))
        return _connexion(dialect.route_not_found(_starlette(request)))

    def on_http_exception(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        # Starlette raises these for routing (404, 405) and for bodies it cannot read (400:
        # a form without a boundary): each is answered as the API answers that, never as an
        # unknown route whatever its status.
        status = getattr(exc, "status_code", 500)
        if status in (404, 405):
            return on_not_found(request, exc)
        if 400 <= status < 500:
            return on_bad_request(request, exc)
        return on_server_error(request, exc)

    def on_server_error(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        # A crash in the mock is our bug; answer plainly rather than with a traceback.
        log.error("handler crashed on %s %s", request.method, request.url.path, exc_info=exc)
        return _connexion(text_response("Internal Error", 500))

    app.add_error_handler(BadRequestProblem, on_bad_request)
    app.add_error_handler(404, on_not_found)
    app.add_error_handler(405, on_not_found)
    app.add_error_handler(ProblemException, on_bad_request)
    app.add_error_handler(HTTPException, on_http_exception)
    app.add_error_handler(500, on_server_error)
    app.add_error_handler(Exception, on_server_error)
    return assemble(app, site, stages)
