"""Routes of the dashboard listener (18083 on a real broker): login check, dashboard users,
API applications. The mock serves them on its one port.

Their errors are `{"message":…}` without a code (reference §3.1, §10.6, §10.7). The broker
delays a failed login by ~2 s; the mock answers at once (a deliberate difference: tests and
UIs driving the mock should not wait).
"""

from __future__ import annotations

import re
from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.fixtures.console import App, Console

from ..http import json_response, text_response
from ..paths import path_value
from . import errors, render

_APP_ID = re.compile(r"^[A-Za-z0-9_\-.]{1,256}$")  # the mock's reading of the sanity check


def _fail(text: str) -> Response:
    return json_response(render.message(text))


def password_problem(password: str) -> str | None:
    """The 4.4.19 policy: 8–64 ASCII characters of at least two classes."""
    if not 8 <= len(password) <= 64:
        return "The password length: 8-64"
    if not password.isascii():
        return "The password only allows ASCII characters"
    classes = [
        any(c.isalpha() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ]
    if sum(classes) < 2:
        return "The password must contain at least two of letters, numbers and special characters"
    return None


def _str(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    return value if isinstance(value, str) and value else None


class DashboardApi:
    def __init__(self, world: World) -> None:
        self.world = world

    @property
    def _console(self) -> Console:
        return self.world.console

    async def dashboard_login(self, body: Any = None) -> Response:
        body = body if isinstance(body, dict) else {}
        username, password = _str(body, "username"), _str(body, "password")
        if username is None:
            return _fail("Username undefined")
        if password is None:
            return _fail("Password undefined")
        user = self._console.users.get(username)
        if user is None or not user.checks(password):
            return _fail("Username/Password error")
        return errors.ok()

    async def list_dashboard_users(self) -> Response:
        return errors.ok(data=[render.dashboard_user(u) for u in self._console.users.values()])

    async def create_dashboard_user(self, body: Any = None) -> Response:
        body = body if isinstance(body, dict) else {}
        username, password = _str(body, "username"), _str(body, "password")
        if username is None or password is None:
            return _fail("Username or password undefined")
        problem = password_problem(password)
        if problem:
            return _fail(problem)
        tags = body.get("tags")
        if not self._console.add_user(username, password, tags if isinstance(tags, str) else ""):
            return _fail("Username Already Exist")
        return errors.ok()

    async def update_dashboard_user(self, name: str, body: Any = None) -> Response:
        body = body if isinstance(body, dict) else {}
        username = path_value(name)
        if username not in self._console.users:
            return _fail("Username Not Found")
        tags = body.get("tags")
        self._console.set_tags(username, tags if isinstance(tags, str) else "")
        return errors.ok()

    async def delete_dashboard_user(self, name: str) -> Response:
        username = path_value(name)
        if username == "admin":
            return _fail("Cannot delete admin")
        if username not in self._console.users:
            return _fail("Username Not Found")
        self._console.remove_user(username)
        return errors.ok()

    async def change_dashboard_password(self, username: str, body: Any = None) -> Response:
        body = body if isinstance(body, dict) else {}
        user = self._console.users.get(path_value(username))
        old, new = _str(body, "old_pwd"), _str(body, "new_pwd")
        if user is None:
            return _fail("Username Not Found")
        if old is None or new is None:
            return _fail("Password undefined")
        if not user.checks(old):
            return _fail("Password Error")
        problem = password_problem(new)
        if problem:
            return _fail(problem)
        self._console.set_password(user.username, new)
        return errors.ok()

    # -- API applications --------------------------------------------------------------------

    async def list_apps(self) -> Response:
        return errors.ok(data=[render.app(a) for a in self._console.apps.values()])

    async def get_app(self, appid: str) -> Response:
        app = self._console.apps.get(path_value(appid))
        return errors.ok(data=render.app(app, secret=True) if app else {})

    async def create_app(self, body: Any = None) -> Response:
        body = body if isinstance(body, dict) else {}
        app_id = body.get("app_id")
        if not isinstance(app_id, str):  # the handler reads it unconditionally and crashes
            return text_response("Internal Error", 500)
        if not _APP_ID.match(app_id):
            return _fail("bad_app_id")
        if app_id in self._console.apps:
            return _fail("already_existed")
        secret = _str(body, "secret") or self._console.new_secret()
        expired = body.get("expired")
        self._console.put_app(
            App(
                app_id,
                secret,
                str(body.get("name", "")),
                str(body.get("desc", "")),
                body.get("status", True) is not False,
                expired if isinstance(expired, int) and not isinstance(expired, bool) else None,
            )
        )
        return errors.ok(data={"secret": secret})

    async def update_app(self, appid: str, body: Any = None) -> Response:
        body = body if isinstance(body, dict) else {}
        changes: dict[str, object] = {}
        if "name" in body:
            changes["name"] = str(body["name"])
        if "desc" in body:
            changes["desc"] = str(body["desc"])
        if isinstance(body.get("status"), bool):
            changes["status"] = body["status"]
        if "expired" in body:
            expired = body["expired"]
            changes["expired"] = (
                expired if isinstance(expired, int) and not isinstance(expired, bool) else None
            )
        if self._console.update_app(path_value(appid), **changes) is None:
            return _fail("not_found")
        return errors.ok()

    async def delete_app(self, appid: str) -> Response:
        self._console.remove_app(path_value(appid))
        return errors.ok()
