"""Routing without Starlette's trailing-slash redirect.

Starlette's `Router` answers a path that only matches with (or without) a trailing `/` with a
307 to the other form. No broker does: EMQX 4 routes both forms as one (minirest's tokens),
EMQX 5 drops one trailing `/` and nothing else (cowboy's router), EMQX 2.3 matches the path as
sent. Those rules are the dialects' (`Dialect.route_path`, applied by the path-segments
stage); here the routers Connexion builds (its routing middleware, and the ASGI app behind
it) are told never to redirect, so a path no rule maps onto a route is an unknown route,
answered in the API's own shape.

Starlette's router tries its routes in order, a regular expression each: `GET /api/v4/stats`
was matched against 33 routes per request, a fifth of the app's time in-process (cProfile).
`IndexedRouter` keeps Starlette's router and its order, but asks only the routes whose first
path segment is the request's (or is a parameter): any other cannot match, fully or partly,
so the first full match, the 405 of a partial one and the default are Starlette's own.

Swagger UI's middleware routes every request through a router of its own (each API's `/ui`
and `/openapi.json`) before Connexion's routing does it again; `SwaggerUiOnItsPaths` asks that
router only about paths it could serve.
"""

from __future__ import annotations

from typing import Any

from connexion.middleware.routing import RoutingMiddleware
from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from starlette._utils import get_route_path
from starlette.routing import BaseRoute, Mount, Route, Router
from starlette.types import Receive, Scope, Send

from .auth import MOCK_EXTRAS

__all__ = [
    "ExactRoutingMiddleware",
    "IndexedRouter",
    "SwaggerUiOnItsPaths",
    "index_mounts",
    "never_redirect",
]

# Every Swagger UI route is `{base}/ui`, `{base}/ui/…`, `{base}/openapi.json` or `.yaml`.
_ENDINGS = MOCK_EXTRAS
_INSIDE = tuple(e + "/" for e in MOCK_EXTRAS)


def never_redirect(router: Router) -> None:
    """`router` and the routers mounted in it answer an unmatched path as unmatched."""
    router.redirect_slashes = False
    for route in router.routes:
        if isinstance(route, Mount) and isinstance(route.app, Router):
            route.app.redirect_slashes = False


def index_mounts(router: Router) -> None:
    """Each router mounted in `router` indexed by first segment (`IndexedRouter`)."""
    for route in router.routes:
        if isinstance(route, Mount) and type(route.app) is Router:
            # Starlette's Mount serves `app`, and lists `_base_app`'s routes (no middleware
            # is given to these mounts, so the two are one object).
            route.app = route._base_app = IndexedRouter.of(route.app)


def _first_segment(path: str) -> str | None:
    """The literal first segment of a route's path; None when it holds a parameter."""
    first = path.lstrip("/").split("/", 1)[0]
    return None if "{" in first else first


class IndexedRouter(Router):
    """A router whose routes are tried only where their first segment can match."""

    @classmethod
    def of(cls, router: Router) -> IndexedRouter:
        indexed = cls(
            routes=list(router.routes),
            redirect_slashes=router.redirect_slashes,
            default=router.default,
        )
        indexed.index()
        return indexed

    def index(self) -> None:
        """(Re)build the per-segment routers from `routes`, each in the routes' own order."""
        literal = {_first_segment(r.path) for r in self.routes if isinstance(r, Route)}
        literal.discard(None)

        def subset(segment: str | None) -> Router:
            chosen: list[BaseRoute] = [
                r
                for r in self.routes
                if not isinstance(r, Route) or _first_segment(r.path) in (segment, None)
            ]
            return Router(chosen, redirect_slashes=self.redirect_slashes, default=self.default)

        self._rest = subset(None)
        self._by_segment = {segment: subset(segment) for segment in literal}
        self._indexed = len(self.routes)

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._indexed != len(self.routes):
            await super().app(scope, receive, send)
            return
        scope.setdefault("router", self)
        await self.candidates(scope).app(scope, receive, send)

    def candidates(self, scope: Scope) -> Router:
        """The router of the routes that could match `scope`'s path, in their order."""
        first = get_route_path(scope).lstrip("/").split("/", 1)[0]
        return self._by_segment.get(first, self._rest)


class ExactRoutingMiddleware(RoutingMiddleware):
    """Connexion's routing middleware, with `never_redirect` and `index_mounts` over each API
    it mounts: the router every request is routed by."""

    def add_api(self, *args: Any, **kwargs: Any) -> None:
        super().add_api(*args, **kwargs)
        never_redirect(self.router)
        index_mounts(self.router)


class SwaggerUiOnItsPaths(SwaggerUIMiddleware):
    """Connexion's Swagger UI middleware, whose router sees only paths it could match; any
    other goes straight on, as its router's default (`default_fn`) would send it."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path and not path.endswith(_ENDINGS) and not any(e in path for e in _INSIDE):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)
