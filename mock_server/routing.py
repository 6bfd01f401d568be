"""Routes a dialect switches off, and routes it serves outside its base path.

`RouteSwitch` (after routing): a routed operation the dialect reports as off right now (an
EMQX route whose plugin is stopped) gets the dialect's answer before its body is read or
validated, as the broker's dispatcher decides before it parses anything.
`OutsideRoutes` (before authentication): the exact paths outside every base path a dialect
declares open (EMQX's `GET /status`).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from .site import Site

__all__ = ["OutsideRoutes", "RouteSwitch"]


class RouteSwitch:
    def __init__(self, app: ASGIApp, *, site: Site) -> None:
        self.app, self.site = app, site

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            routed = scope.get("extensions", {}).get("connexion_routing", {}).get("operation_id")
            dialect = self.site.dialect_of(scope) if routed else None
            answer = dialect.route_off(routed) if dialect is not None and routed else None
            if answer is not None:
                await answer(scope, receive, send)
                return
        await self.app(scope, receive, send)


class OutsideRoutes:
    def __init__(self, app: ASGIApp, *, site: Site) -> None:
        self.app = app
        self.routes = {p: r for d in site.dialects for p, r in d.outside_routes.items()}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.routes:
            path: str = scope["path"]
            route = self.routes.get(path.rstrip("/") or "/")
            if route is not None:
                await route(scope["method"])(scope, receive, send)
                return
        await self.app(scope, receive, send)
