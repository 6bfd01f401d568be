"""HTTP Basic authentication, checked before routing as the brokers do.

EMQX checks credentials before it matches a route, so an unauthenticated request to a path
that does not exist gets 401, not 404. A Connexion security handler would run after routing,
hence this middleware in front of the whole app. The OpenAPI documents still declare the
scheme; `PASS_THROUGH` tells Connexion the check has already happened.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass

from connexion.security import AbstractSecurityHandler
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

# Paths the mock adds under an API base path for people, not part of any broker's API.
_MOCK_EXTRAS = ("/ui", "/openapi.json", "/openapi.yaml")


@dataclass(frozen=True, slots=True)
class Guard:
    """Credentials one API base path requires (None: open), and its 401 answer."""

    base_path: str
    credentials: tuple[str, str] | None
    unauthorized: Response
    # (method, exact path) pairs the broker serves without credentials (EMQX: `POST /auth`).
    open_routes: frozenset[tuple[str, str]] = frozenset()

    def admits(self, header: bytes | None) -> bool:
        if self.credentials is None:
            return True
        if not header or not header[:6].lower() == b"basic ":
            return False
        try:
            user, _, password = (
                base64.b64decode(header[6:].strip(), validate=True).decode("latin-1").partition(":")
            )
        except (binascii.Error, ValueError):
            return False
        return (user, password) == self.credentials


class BasicAuthMiddleware:
    def __init__(self, app: ASGIApp, guards: Sequence[Guard]) -> None:
        self.app = app
        self.guards = guards

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            for guard in self.guards:
                if path != guard.base_path and not path.startswith(guard.base_path + "/"):
                    continue
                if path[len(guard.base_path) :].startswith(_MOCK_EXTRAS):
                    break
                if (scope["method"], path) in guard.open_routes:
                    break
                header = dict(scope["headers"]).get(b"authorization")
                if not guard.admits(header):
                    await guard.unauthorized(scope, receive, send)
                    return
                break
        await self.app(scope, receive, send)


class PassThroughBasic(AbstractSecurityHandler):
    """Connexion's view of the declared Basic scheme: already verified by the middleware."""

    def get_fn(self, security_scheme, required_scopes):  # type: ignore[no-untyped-def]
        return lambda request: {"sub": "checked-by-middleware"}


PASS_THROUGH = {"basic": PassThroughBasic}
