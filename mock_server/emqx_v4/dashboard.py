"""Routes of the dashboard listener (18083 on a real broker): login check, dashboard users,
API applications. The mock serves them on its one port.

Handlers as lib-ce/emqx_dashboard/src/emqx_dashboard_api.erl and
apps/emqx_management/src/emqx_mgmt_api_apps.erl at v4.4.19 write them: each reads its
parameters with `proplists:get_value/2` (absent → `undefined`) and passes them on unchecked;
errors are `minirest:return({error, Reason})`, i.e. `{"message":…}` without a code. Where a
value of the wrong type reaches a guard (`add_user/3 when is_binary(Username)…`) the broker
crashes, and minirest answers 500 `Internal Error`. Our document types those fields, so the
mock's request validation answers such a request first, with the clean 108 it gives every
input the document calls invalid (also where the broker would have answered an earlier
check's message, e.g. `Password undefined` for `{"username": 5}`).

The broker delays a failed login by 2 s (`bad_login_penalty/0`); the mock answers at once (a
deliberate difference: tests and UIs driving the mock should not wait).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.fixtures.console import UNDEFINED, Console, Refused

from ..http import json_response, text_response
from ..paths import path_value
from . import errors, render

_MISSING = object()


def _fail(text: str) -> Response:
    return json_response(render.message(text))


def _crash() -> Response:
    """minirest's `internal_error/3`: a handler that crashed."""
    return text_response("Internal Error", 500)


def _params(body: Any) -> Mapping[str, Any] | None:
    """The body as `proplists:get_value/2` sees it: an object's members; none for an array
    (its elements are skipped) or no body; None where the lookup itself crashes (a string,
    number or boolean body is not a list)."""
    if isinstance(body, dict):
        return body
    if body is None or isinstance(body, list):
        return {}
    return None


def _value(params: Mapping[str, Any], key: str) -> Any:
    """A stored field: what was sent, or `undefined` (rendered "undefined") when absent."""
    return params.get(key, UNDEFINED)


def login(console: Console, body: Any) -> Response:
    """`auth/2` → emqx_dashboard_admin:check/2."""
    params = _params(body)
    if params is None:
        return _crash()
    username, password = params.get("username", _MISSING), params.get("password", _MISSING)
    if username is _MISSING:
        return _fail("Username undefined")
    if password is _MISSING:
        return _fail("Password undefined")
    if not isinstance(username, str):  # lookup_user/1 when is_binary(Username)
        return _crash()
    if username not in console.users:
        return _fail("Username/Password error")
    if not isinstance(password, str):
        return _crash()  # md5_hash/2 builds <<Salt/binary, Password/binary>>
    problem = console.check_user(username, password)
    return _fail(problem) if problem else errors.ok()


def create_user(console: Console, body: Any) -> Response:
    """`create/2`: an empty or absent name or password first, then add_user/3's checks."""
    params = _params(body)
    if params is None:
        return _crash()
    username, password = params.get("username", _MISSING), params.get("password", _MISSING)
    if username in (_MISSING, "") or password in (_MISSING, ""):  # ?EMPTY(V)
        return _fail("Username or password undefined")
    if not isinstance(username, str) or not isinstance(password, str):
        return _crash()  # add_user/3 when is_binary(Username), is_binary(Password)
    try:
        console.add_user(username, password, _value(params, "tags"))
    except Refused as refused:
        return _fail(str(refused))
    return errors.ok()


def change_password(console: Console, name: str, body: Any) -> Response:
    """`change_pwd/2` → change_password/3: the old password must pass `check/2` (the same
    "Username/Password error" for an unknown user), the new one the password policy."""
    params = _params(body)
    if params is None:
        return _crash()
    old, new = params.get("old_pwd", _MISSING), params.get("new_pwd", _MISSING)
    if old is _MISSING:
        return _fail("Password undefined")
    user = console.users.get(name)
    if user is None:
        return _fail("Username/Password error")
    if not isinstance(old, str):
        return _crash()  # md5_hash/2 on a non-binary
    if not user.checks(old):
        return _fail("Username/Password error")
    if not isinstance(new, str):
        return _crash()  # change_password/2 when is_binary(Password): `undefined` too
    try:
        console.change_password(name, old, new)
    except Refused as refused:
        return _fail(str(refused))
    return errors.ok()


def create_app(console: Console, body: Any) -> Response:
    """`add_app/2` → emqx_mgmt_auth:add_app/6, every field stored as sent."""
    params = _params(body)
    if params is None:
        return _crash()
    app_id = params.get("app_id")
    if not isinstance(app_id, str):  # add_app/6 when is_binary(AppId)
        return _crash()
    try:
        app = console.add_app(
            app_id,
            _value(params, "name"),
            params.get("secret"),  # absent or not a non-empty string: a new one
            _value(params, "desc"),
            _value(params, "status"),
            _value(params, "expired"),
        )
    except Refused as refused:
        return _fail(str(refused))
    return errors.ok(data={"secret": app.secret})


class DashboardApi:
    def __init__(self, world: World) -> None:
        self.world = world

    @property
    def _console(self) -> Console:
        return self.world.console

    async def dashboard_login(self, body: Any = None) -> Response:
        return login(self._console, body)

    async def list_dashboard_users(self) -> Response:
        return errors.ok(data=[render.dashboard_user(u) for u in self._console.users.values()])

    async def create_dashboard_user(self, body: Any = None) -> Response:
        return create_user(self._console, body)

    async def update_dashboard_user(self, name: str, body: Any = None) -> Response:
        """`update/2`: the tags replaced by what was sent (`undefined` when nothing was)."""
        params = _params(body)
        if params is None:
            return _crash()
        username = path_value(name)
        if username not in self._console.users:
            return _fail("Username Not Found")
        self._console.set_tags(username, _value(params, "tags"))
        return errors.ok()

    async def delete_dashboard_user(self, name: str) -> Response:
        username = path_value(name)
        if username == "admin":
            return _fail("Cannot delete admin")
        if not self._console.remove_user(username):
            return _fail("Username Not Found")
        return errors.ok()

    async def change_dashboard_password(self, username: str, body: Any = None) -> Response:
        return change_password(self._console, path_value(username), body)

    # -- API applications --------------------------------------------------------------------

    async def list_apps(self) -> Response:
        return errors.ok(data=[render.app(a) for a in self._console.apps.values()])

    async def get_app(self, appid: str) -> Response:
        app = self._console.apps.get(path_value(appid))
        return errors.ok(data=render.app(app, secret=True) if app else {})

    async def create_app(self, body: Any = None) -> Response:
        return create_app(self._console, body)

    async def update_app(self, appid: str, body: Any = None) -> Response:
        """`update_app/2` → update_app/5: name, desc, status and expired all replaced."""
        params = _params(body)
        if params is None:
            return _crash()
        updated = self._console.update_app(
            path_value(appid),
            _value(params, "name"),
            _value(params, "desc"),
            _value(params, "status"),
            _value(params, "expired"),
        )
        if updated is None:
            return _fail("not_found")
        return errors.ok()

    async def delete_app(self, appid: str) -> Response:
        self._console.remove_app(path_value(appid))
        return errors.ok()
