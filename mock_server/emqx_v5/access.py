"""Who may call `/api/v5`: API keys (Basic `key:secret`) and dashboard tokens (Bearer).

`emqx_dashboard:authorize/1` (5.8.1) reads the `Authorization` header:

* `Basic key:secret` is an API key (`emqx_mgmt_auth:authorize/4`): enabled, not expired, the
  secret's salted hash matching. API keys may not call `/users…`, `/api_key…` or `/logout`
  (401 `API_KEY_NOT_ALLOW`). Any other failure is 401 `BAD_API_KEY_OR_SECRET`.
* `Bearer <token>` is a token from `POST /login` (`emqx_dashboard_token`): valid for
  `dashboard.token_expired_time` (60 min) after its last use — every verified call extends
  it — and gone once its user's password changes or the user is deleted. Unknown: 401
  `BAD_TOKEN`; expired: 401 `TOKEN_TIME_OUT`.
* Anything else: 401 `AUTHORIZATION_HEADER_ERROR`.

Basic failures carry `WWW-Authenticate: Basic Realm="emqx-dashboard"`, token failures do not.
Tokens are the dialect's own (HTTP sessions, not broker state any API shows); the table is
bounded, dropping the oldest token first.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace

from starlette.responses import Response

from mqtt_api_kit.fixtures import World

from . import errors

__all__ = ["TOKEN_TTL_MS", "Access", "Tokens"]

TOKEN_TTL_MS = 60 * 60 * 1000  # emqx_dashboard_token.erl ?EXPTIME
MAX_TOKENS = 10_000
# emqx_mgmt_auth:authorize/4: API keys are refused on these path prefixes.
_BEARER_ONLY = ("/users", "/api_key", "/logout")


@dataclass(frozen=True, slots=True)
class _Token:
    username: str
    password_hash: bytes  # the user's hash when it was signed: a new password ends the token
    expires: float  # ms on the tokens' clock


class Tokens:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._tokens: OrderedDict[str, _Token] = OrderedDict()

    def _now_ms(self) -> float:
        return self.clock() * 1000

    def sign(self, username: str, password_hash: bytes) -> str:
        """A JWT as EMQX signs one (HS256, `iss: EMQX`, `exp` in ms); opaque to clients."""
        expires = self._now_ms() + TOKEN_TTL_MS
        header = _b64(json.dumps({"alg": "HS256"}, separators=(",", ":")).encode())
        claims = {"exp": int(time.time() * 1000) + TOKEN_TTL_MS, "iss": "EMQX"}
        payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
        key = hashlib.md5((secrets.token_hex(2) + username).encode()).digest()
        signature = _b64(hmac.new(key, f"{header}.{payload}".encode(), "sha256").digest())
        token = f"{header}.{payload}.{signature}"
        self._tokens[token] = _Token(username, password_hash, expires)
        while len(self._tokens) > MAX_TOKENS:
            self._tokens.popitem(last=False)
        return token

    def owner(self, token: str) -> str | None:
        found = self._tokens.get(token)
        return found.username if found else None

    def verify(self, token: str, current_hash: bytes | None) -> str:
        """ "ok", "not_found" or "timeout"; a valid token's life is extended."""
        found = self._tokens.get(token)
        if found is None or found.password_hash != current_hash:
            self._tokens.pop(token, None)
            return "not_found"
        now = self._now_ms()
        if found.expires <= now:
            return "timeout"
        self._tokens[token] = replace(found, expires=now + TOKEN_TTL_MS)
        return "ok"

    def destroy(self, token: str, username: str) -> bool:
        """`POST /logout`: only the token's own user may end it."""
        found = self._tokens.get(token)
        if found is None or found.username != username:
            return False
        del self._tokens[token]
        return True


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _scheme(header: bytes | None) -> tuple[str, bytes]:
    if not header:
        return "", b""
    scheme, _, rest = header.strip().partition(b" ")
    return scheme.lower().decode("latin-1"), rest.strip()


class Access:
    """The dialect's credential check; `credentials is None` (`--no-auth`) admits everyone."""

    def __init__(self, world: World, tokens: Tokens, enabled: bool) -> None:
        self.world, self.tokens, self.enabled = world, tokens, enabled

    def refusal(self, path: str, authorization: bytes | None) -> Response | None:
        if not self.enabled:
            return None
        scheme, value = _scheme(authorization)
        if scheme == "basic":
            return self._api_key(path, value)
        if scheme == "bearer" and value:
            return self._token(value.decode("latin-1"))
        return errors.unauthorized(
            "AUTHORIZATION_HEADER_ERROR", "Support authorization: basic/bearer "
        )

    def _api_key(self, path: str, value: bytes) -> Response | None:
        resource = next((p for p in _BEARER_ONLY if path.startswith(p)), None)
        if resource is not None:
            return errors.unauthorized(
                "API_KEY_NOT_ALLOW",
                "Please use bearer Token instead, using API key/secret in "
                f"{resource[1:]} path is not permitted",
            )
        try:
            decoded = base64.b64decode(value, validate=True).decode("latin-1")
        except (binascii.Error, ValueError):
            decoded = ""
        key, sep, secret = decoded.partition(":")
        if sep and self.world.api_keys.admits(key, secret, self.world.now // 1000):
            return None
        return errors.unauthorized("BAD_API_KEY_OR_SECRET", "Check api_key/api_secret")

    def _token(self, token: str) -> Response | None:
        owner = self.tokens.owner(token)
        user = self.world.console.users.get(owner) if owner is not None else None
        verdict = self.tokens.verify(token, user.password_hash if user else None)
        if verdict == "ok":
            return None
        if verdict == "timeout":
            return errors.unauthorized(
                "TOKEN_TIME_OUT", "Token expired, get new token by POST /login", challenge=False
            )
        return errors.unauthorized("BAD_TOKEN", "Get a token by POST /login", challenge=False)
