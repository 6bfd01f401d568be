"""The mock's request pipeline, declared once, in the order a request meets it.

Every request to the mock passes these stages, outermost first. `OUTSIDE` stages wrap the
Connexion app; `AFTER_ROUTING` stages run inside Connexion, once its router has named the
operation (`scope["extensions"]["connexion_routing"]["operation_id"]`) and before it
validates the request and calls the handler. Connexion's own stages sit between the two
groups (error handlers → Swagger UI → routing) and after them (validation → handler).

Rules this order enforces (tests/mock_server/test_pipeline.py checks each):

* the journal sees every answer, so it is outermost;
* a CORS preflight is answered before authentication (browsers send it without
  credentials), and every later answer carries the CORS headers, 401s and faults included;
* the world has lived up to its time before anything reads it;
* the `__code`/`__example`/`__delay` parameters are gone before anything reads the query;
* nothing is answered before authentication but what a dialect declares open (its
  `outside_routes`, its `open_routes`), the mock's own pages (Swagger UI, the admin API),
  the CORS preflight and the faults asked for (`--error-rate`, `--drop-rate`);
* a forced answer (`Prefer: code=`) is given after authentication and routing, before the
  body is looked at;
* no body is read before authentication, and none beyond `MockConfig.max_body`;
* an unknown route is answered as such before its body is looked at; a route that is off (an
  EMQX plugin stopped) likewise.

A later concern is a new `Stage` in this list at the place its rule demands, never a wrapper
added elsewhere.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

import connexion
from connexion.middleware import MiddlewarePosition
from starlette.types import ASGIApp

from .auth import Authentication
from .body import BodyLimit, BodyPolicyLayer
from .control import ControlStage, ForcedAnswer
from .cors import Cors
from .faults import Faults
from .journal import JournalStage
from .latency import Latency
from .live import LiveClock
from .paths import PathSegments
from .routing import OutsideRoutes, RouteSwitch
from .site import Site

__all__ = ["PIPELINE", "Position", "Stage", "assemble"]


class Position(enum.Enum):
    OUTSIDE = "outside Connexion, before its error handlers and routing"
    AFTER_ROUTING = "inside Connexion, after routing, before request validation"


class Layer(Protocol):
    def __call__(self, app: ASGIApp, *, site: Site) -> ASGIApp: ...


@dataclass(frozen=True, slots=True)
class Stage:
    name: str
    position: Position
    layer: Layer


PIPELINE: tuple[Stage, ...] = (
    # Every exchange recorded (`GET /__mock/requests`) and, with --log-requests, logged.
    Stage("journal", Position.OUTSIDE, JournalStage),
    # Preflights answered without credentials; CORS headers on every other answer.
    Stage("cors", Position.OUTSIDE, Cors),
    # The world lives up to its time (live clock) before anything reads it.
    Stage("live-clock", Position.OUTSIDE, LiveClock),
    # `Prefer: code/example/delay` and the `__` query forms, taken out of the query.
    Stage("control", Position.OUTSIDE, ControlStage),
    # --latency and `delay=`: a wait before the answer's first byte.
    Stage("latency", Position.OUTSIDE, Latency),
    # --error-rate (the API's 5xx) and --drop-rate (no answer at all).
    Stage("faults", Position.OUTSIDE, Faults),
    # `%2F` stays inside its path segment, as the brokers split the raw path first; then the
    # path is the one the broker's router would route (`Dialect.route_path`).
    Stage("path-segments", Position.OUTSIDE, PathSegments),
    # Exact paths outside every base path that a broker serves openly (EMQX `GET /status`).
    Stage("outside-routes", Position.OUTSIDE, OutsideRoutes),
    # Credentials from the headers alone; open routes and the mock's own pages pass.
    Stage("authentication", Position.OUTSIDE, Authentication),
    # The body, read once and bounded, kept for every later stage.
    Stage("body-limit", Position.OUTSIDE, BodyLimit),
    # ── Connexion: server errors → error handlers → Swagger UI → routing ──
    Stage("route-switch", Position.AFTER_ROUTING, RouteSwitch),
    # The operation noted for the journal; `Prefer: code=`/`example=` answered here.
    Stage("forced-answer", Position.AFTER_ROUTING, ForcedAnswer),
    Stage("body-policy", Position.AFTER_ROUTING, BodyPolicyLayer),
    # ── Connexion: security (already checked) → request validation → handler ──
)


def assemble(app: connexion.AsyncApp, site: Site, stages: tuple[Stage, ...] = PIPELINE) -> ASGIApp:
    """Insert the AFTER_ROUTING stages into `app` and wrap it in the OUTSIDE ones."""
    for stage in stages:
        if stage.position is Position.AFTER_ROUTING:
            # Inserted in list order just before validation: the first listed runs first.
            app.add_middleware(
                stage.layer,  # type: ignore[arg-type]
                position=MiddlewarePosition.BEFORE_VALIDATION,
                site=site,
            )
    asgi: ASGIApp = app
    for stage in reversed(stages):
        if stage.position is Position.OUTSIDE:
            asgi = stage.layer(asgi, site=site)
    return asgi
