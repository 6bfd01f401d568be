"""Routing without Starlette's trailing-slash redirect.

Starlette's `Router` answers a path that only matches with (or without) a trailing `/` with a
307 to the other form. No broker does: EMQX 4 routes both forms as one (minirest's tokens),
EMQX 5 drops one trailing `/` and nothing else (cowboy's router), EMQX 2.3 matches the path as
sent. Those rules are the dialects' (`Dialect.route_path`, applied by the path-segments
stage); here the routers Connexion builds (its routing middleware, and the ASGI app behind
it) are told never to redirect, so a path no rule maps onto a route is an unknown route,
answered in the API's own shape.
"""

from __future__ import annotations

from typing import Any

from connexion.middleware.routing import RoutingMiddleware
from starlette.routing import Mount, Router

__all__ = ["ExactRoutingMiddleware", "never_redirect"]


def never_redirect(router: Router) -> None:
    """`router` and the routers mounted in it answer an unmatched path as unmatched."""
    router.redirect_slashes = False
    for route in router.routes:
        if isinstance(route, Mount) and isinstance(route.app, Router):
            route.app.redirect_slashes = False


class ExactRoutingMiddleware(RoutingMiddleware):
    """Connexion's routing middleware, with `never_redirect` over each API it mounts."""

    def add_api(self, *args: Any, **kwargs: Any) -> None:
        super().add_api(*args, **kwargs)
        never_redirect(self.router)
