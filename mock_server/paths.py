"""Keep every percent-encoded character inside its path segment, as the brokers do.

EMQX and HiveMQ split the raw path on `/` before decoding, so `/clients/a%2Fb` addresses the
client `a/b`. Starlette routes on the decoded path, where that `/` would split the segment (and
where a decoded newline stops a path parameter from matching). This middleware rebuilds
`scope["path"]` from `raw_path`, decoding each segment but putting private-use stand-ins for
those two characters; handlers get the real value back with `path_value()`.
"""

from __future__ import annotations

from urllib.parse import unquote

from starlette.types import ASGIApp, Receive, Scope, Send

from .site import Site

__all__ = ["PathSegments", "decode_segment", "path_value"]

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


class PathSegments:
    def __init__(self, app: ASGIApp, *, site: Site | None = None) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            raw = (scope.get("raw_path") or b"").split(b"?", 1)[0]
            if any(t in raw.lower() for t in _TRIGGERS):
                path = "/".join(decode_segment(s) for s in raw.decode("latin-1").split("/"))
                scope = dict(scope, path=path)
        await self.app(scope, receive, send)
