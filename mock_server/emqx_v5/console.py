"""`/api_key…`, `/login`, `/logout`, `/users…`: emqx_mgmt_api_api_keys.erl, emqx_dashboard_api.erl
and emqx_dashboard_admin.erl (5.8.1, open-source edition: one role, so `role` and `backend` are
left out of every answer).

Dashboard users are the world's one table of them (`World.console`, which the 4.x dashboard
API reads too): a user's `description` is the 4.x user's `tags`. 5.x has no forced first
password change on the server: the stock dashboard only suggests one, and `admin`/`public`
keeps working until it is changed.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, cast

import connexion
from starlette.responses import Response

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.fixtures.api_keys import ApiKey, KeyRefused
from mqtt_api_kit.fixtures.console import Refused

from ..paths import path_value
from . import errors, render
from .access import Tokens
from .cluster import VERSION

DEFAULT_USERNAME = "admin"  # dashboard.default_username
_SPECIAL = set("!@#$%^&*()_+-=[]{}\"|;':,./<>?`~ ")
_NO_KEY = ("NOT_FOUND", "Name NOT FOUND")


def legal_username(name: str) -> str | None:
    """emqx_dashboard_admin:legal_username/1: the refusal, or None."""
    if not name:
        return "Username cannot be empty"
    if not re.fullmatch(r"[_a-zA-Z0-9]*", name):
        return (
            "Bad Username. Only upper and lower case letters, numbers and underscores are supported"
        )
    return None


def legal_password(password: str) -> str | None:
    """emqx_dashboard_admin:legal_password/1."""
    if not 8 <= len(password) <= 64:
        return "The range of password length is 8~64"
    kinds = sum(
        (
            any(c.isdigit() and c.isascii() for c in password),
            any(c.isascii() and c.isalpha() for c in password),
            any(c in _SPECIAL for c in password),
        )
    )
    if kinds < 2:
        return (
            "Bad password. At least two different kind of characters from groups of letters, "
            "numbers, and special characters. For example, if password is composed from "
            "letters, it must contain at least one number or a special character."
        )
    if not password.isascii():
        return "Only ascii characters are allowed in the password"
    return None


def format_key(key: ApiKey, now_s: int) -> dict[str, Any]:
    """emqx_mgmt_auth:format/1 (CE: without `role`)."""
    return {
        "api_key": key.api_key,
        "created_at": render.rfc3339_s(key.created_at),
        "desc": key.desc,
        "enable": key.enable,
        "expired": key.expired(now_s),
        "expired_at": render.rfc3339_s(key.expired_at)
        if key.expired_at is not None
        else "infinity",
        "name": key.name,
    }


def _expiry(body: dict[str, Any]) -> int | None:
    """ensure_expired_at/1: an epoch second, else never (`infinity`, RFC 3339 converted)."""
    value = body.get("expired_at")
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value != "infinity":
        text = value.strip()
        if text.isdigit():
            return int(text)
        try:
            return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())
        except ValueError:
            return None
    return None


def _bearer() -> str | None:
    # The Connexion proxy forwards to the Starlette request, which its stubs do not say.
    header = str(cast(Any, connexion.request).headers.get("authorization", ""))
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


class ConsoleApi:
    def __init__(self, world: World, tokens: Tokens) -> None:
        self.world, self.tokens = world, tokens

    def _now_s(self) -> int:
        return self.world.now // 1000

    # -- API keys ----------------------------------------------------------------------------

    async def list_api_keys(self) -> Response:
        now = self._now_s()
        return errors.ok([format_key(k, now) for k in self.world.api_keys.keys.values()])

    async def create_api_key(self, body: dict[str, Any]) -> Response:
        try:
            key, secret = self.world.api_keys.create(
                str(body["name"]),
                bool(body["enable"]),
                _expiry(body),
                str(body["desc"]),
                self._now_s(),
            )
        except KeyRefused as exc:  # io_lib:format("~p", [Reason])
            reason = str(exc)
            shown = f'"{reason}"' if " " in reason else reason
            return errors.bad_request(shown)
        return errors.ok({**format_key(key, self._now_s()), "api_secret": secret})

    async def get_api_key(self, name: str) -> Response:
        key = self.world.api_keys.keys.get(path_value(name))
        return errors.ok(format_key(key, self._now_s())) if key else errors.error(404, *_NO_KEY)

    async def update_api_key(self, name: str, body: dict[str, Any]) -> Response:
        enable = body.get("enable")
        desc = body.get("desc")
        key = self.world.api_keys.update(
            path_value(name),
            None if enable is None else bool(enable),
            _expiry(body),
            None if desc is None else str(desc),
        )
        return errors.ok(format_key(key, self._now_s())) if key else errors.error(404, *_NO_KEY)

    async def delete_api_key(self, name: str) -> Response:
        if not self.world.api_keys.delete(path_value(name)):
            return errors.error(404, *_NO_KEY)
        return errors.no_content()

    # -- dashboard login ---------------------------------------------------------------------

    async def login(self, body: dict[str, Any]) -> Response:
        username, password = str(body["username"]), str(body["password"])
        user = self.world.console.users.get(username)
        if user is None or not user.checks(password):
            return errors.error(401, "BAD_USERNAME_OR_PWD", "Auth failed")
        token = self.tokens.sign(username, user.password_hash)
        return errors.ok({"license": {"edition": "opensource"}, "token": token, "version": VERSION})

    async def logout(self, body: dict[str, Any]) -> Response:
        token = _bearer()
        if token is None or not self.tokens.destroy(token, str(body["username"])):
            return errors.error(401, "WRONG_TOKEN_OR_USERNAME", "Ensure your token & username")
        return errors.no_content()

    # -- dashboard users ---------------------------------------------------------------------

    async def list_users(self) -> Response:
        users = self.world.console.users.values()
        return errors.ok([{"username": u.username, "description": u.tags} for u in users])

    async def create_user(self, body: dict[str, Any]) -> Response:
        username, password = str(body["username"]), str(body["password"])
        description = str(body.get("description", ""))
        if not username or not password:
            return errors.bad_request("Username or password undefined")
        problem = legal_username(username) or legal_password(password)
        if problem:
            return errors.bad_request(problem)
        # 5.x's own checks ran above; the console's are 4.x's (`policy=False` skips them).
        try:
            self.world.console.add_user(username, password, description, policy=False)
        except Refused:
            return errors.bad_request("username_already_exists")
        return errors.ok({"username": username, "description": description})

    async def update_user(self, username: str, body: dict[str, Any]) -> Response:
        name = path_value(username)
        description = str(body["description"])
        if not self.world.console.set_tags(name, description):
            return errors.error(404, "USER_NOT_FOUND", "username_not_found")
        return errors.ok({"username": name, "description": description})

    async def delete_user(self, username: str) -> Response:
        name = path_value(username)
        if name == DEFAULT_USERNAME:
            return errors.error(400, "NOT_ALLOWED", f'Cannot delete user <<"{name}">>')
        token = _bearer()
        if token is not None and self.tokens.owner(token) == name:
            return errors.error(400, "NOT_ALLOWED", "Cannot delete self")
        if not self.world.console.remove_user(name):
            return errors.error(404, "USER_NOT_FOUND", "username_not_found")
        return errors.no_content()

    async def change_user_password(self, username: str, body: dict[str, Any]) -> Response:
        name = path_value(username)
        old, new = str(body["old_pwd"]), str(body["new_pwd"])
        if not old or not new:
            return errors.bad_request("Old password or new password undefined")
        user = self.world.console.users.get(name)
        if user is None:
            return errors.error(404, "USER_NOT_FOUND", "User not found")
        if not user.checks(old):
            return errors.error(400, "ERROR_PWD_NOT_MATCH", "Old password not match")
        problem = legal_password(new)
        if problem:
            return errors.bad_request(problem)
        self.world.console.set_password(name, new)  # the user's tokens end with the old hash
        return errors.no_content()
