"""Credentials, checked before routing as the brokers do.

EMQX 4.x checks credentials before it matches a route, so an unauthenticated request to a path
that does not exist gets 401, not 404; so do 2.3 and HiveMQ (when its API is protected).
EMQX 5 routes first: its dialect declares every request it cannot route open (`open_routes`). A
Connexion security handler would run after routing, hence this pipeline stage in front of it.
What counts as valid credentials is the dialect's (`Dialect.admits`), and so is the refusal
(`Dialect.unauthorized`, asked right after a failed check in the same task, so a dialect whose
refusal depends on what failed, as EMQX 5's does, can answer for that check); the documents
still declare the scheme, and `PASS_THROUGH` tells Connexion the check has already happened.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from connexion.security import AbstractSecurityHandler
from starlette.types import ASGIApp, Receive, Scope, Send

from .site import Site

__all__ = ["PASS_THROUGH", "Authentication", "basic_credentials"]

# Paths the mock adds under an API base path for people, not part of any broker's API.
MOCK_EXTRAS = ("/ui", "/openapi.json", "/openapi.yaml")


def basic_credentials(header: bytes | None) -> tuple[str, str] | None:
    """(user, password) of a Basic `Authorization` header; None when absent or malformed."""
    if not header or header[:6].lower() != b"basic ":
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode(
            "utf-8", "surrogateescape"
        )
    except (binascii.Error, ValueError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


def header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            value_bytes: bytes = value
            return value_bytes
    return None


class Authentication:
    def __init__(self, app: ASGIApp, *, site: Site) -> None:
        self.app, self.site = app, site

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            dialect = self.site.dialect_of(scope)
            if dialect is not None:
                path: str = scope["path"]
                below = path[len(dialect.api.base_path) :]
                open_route = below.startswith(MOCK_EXTRAS) or (
                    (scope["method"], below) in dialect.open_routes
                )
                if not open_route and not dialect.admits(header(scope, b"authorization"), below):
                    await dialect.unauthorized()(scope, receive, send)
                    return
        await self.app(scope, receive, send)


class PassThroughBasic(AbstractSecurityHandler):
    """Connexion's view of the declared Basic scheme: already verified by `Authentication`."""

    def get_fn(self, security_scheme: Any, required_scopes: Any) -> Any:
        return lambda request: {"sub": "checked-before-routing"}


class PassThroughBearer(PassThroughBasic):
    """The same for Bearer tokens (EMQX 5's dashboard tokens)."""


PASS_THROUGH = {"basic": PassThroughBasic, "bearer": PassThroughBearer}
