"""Keep every percent-encoded character inside its path segment, as the brokers do.

EMQX and HiveMQ split the raw path on `/` before decoding, so `/clients/a%2Fb` addresses the
client `a/b`. Starlette routes on the decoded path, where that `/` would split the segment (and
where a decoded newline stops a path parameter from matching). This middleware rebuilds
`scope["path"]` from `raw_path`, decoding each segment but putting private-use stand-ins for
those two characters; handlers get the real value back with `path_value()`.

It then routes the path as the broker's router would (`Dialect.route_path`, with the rules
below): EMQX 4's minirest drops empty segments, so `/api/v4/apps/` is the list of apps, not a
look-up of the app `""`, and no broker answers with Starlette's 307 to the slash-less path.
"""

from __future__ import annotations

from urllib.parse import unquote

from starlette.types import ASGIApp, Receive, Scope, Send

from .auth import MOCK_EXTRAS
from .site import Site

__all__ = [
    "PathSegments",
    "cowboy_router_path",
    "decode_segment",
    "minirest_tokens_path",
    "path_value",
]

_STAND_INS = {"/": "\ue000", "\n": "\ue001"}
_REAL = {v: k for k, v in _STAND_INS.items()}
# A `%25` (an encoded `%`) also rebuilds the path from the raw one: decoded once, so an id like
# `%2e` reaches the handler as those three characters. Starlette's test client decodes an
# already-decoded path a second time; building from `raw_path` is right for every server.
_TRIGGERS = (b"%2f", b"%0a", b"%25")


def path_value(value: str) -> str:
    """The real value of a decoded path parameter."""
    for stand_in, real in _REAL.items():
        value = value.replace(stand_in, real)
    return value


def decode_segment(segment: str) -> str:
    decoded = unquote(segment)
    for real, stand_in in _STAND_INS.items():
        decoded = decoded.replace(real, stand_in)
    return decoded


def minirest_tokens_path(below: str) -> str:
    """EMQX 4.4's minirest 0.3.12: `minirest:match_handler/2` strips the prefix and
    `add_slash/1`s the rest, `minirest_handler:match_route/3` matches
    `string:tokens(Path, "/")`, which drops every empty segment. So `/apps/`, `//apps` and
    `/apps` are one route, and the base path itself is `/`, the route list
    (`minirest_handler:dispatch("/", …)`)."""
    return "/" + "/".join(segment for segment in below.split("/") if segment)


def cowboy_router_path(below: str) -> str:
    """EMQX 5's cowboy 2.9 router: `cowboy_router:split_path/2` never keeps the empty segment
    after a trailing `/`, and keeps every other one. So `/clients/` is `/clients`, while
    `/clients//` and `//clients` route nowhere (404)."""
    return below[:-1] if below.endswith("/") and below != "/" else below


class PathSegments:
    def __init__(self, app: ASGIApp, *, site: Site) -> None:
        self.app = app
        self.site = site

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            raw = (scope.get("raw_path") or b"").split(b"?", 1)[0]
            if any(t in raw.lower() for t in _TRIGGERS):
                path = "/".join(decode_segment(s) for s in raw.decode("latin-1").split("/"))
            dialect = self.site.dialect_for(path)
            if dialect is not None:
                base = dialect.api.base_path
                below = path[len(base) :]
                if not any(below == e or below.startswith(e + "/") for e in MOCK_EXTRAS):
                    path = base + dialect.route_path(below)
            if path != scope["path"]:
                scope = dict(scope, path=path)
        await self.app(scope, receive, send)
