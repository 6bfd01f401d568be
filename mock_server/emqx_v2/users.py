"""Dashboard users (`/users`, `/auth`, `/change_pwd`): the world's console table (EMQ 2.3)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.fixtures.console import Refused

from ..paths import path_value
from . import errors, serialize
from .params import parse

NOT_FOUND = "User not found"


class UsersApi:
    def __init__(self, world: World) -> None:
        self.world = world

    async def list_users(self) -> Response:
        users = self.world.console.users.values()
        return errors.ok([serialize.user(u.username, u.tags) for u in users])

    async def get_user(self, username: str) -> Response:
        user = self.world.console.users.get(path_value(username))
        return errors.ok(serialize.user(user.username, user.tags) if user else [])

    async def add_user(self, body: Any) -> Response:
        body = parse(body, {"username": str, "password": str, "tags": str})
        if isinstance(body, Response):
            return body
        try:  # emqttd_mgmt:add_user/3: no password policy in 2.3
            self.world.console.add_user(
                body["username"], body["password"], body["tags"], policy=False
            )
        except Refused:
            return errors.error(errors.USER_EXISTS, "User already exist")
        return errors.ok()

    async def update_user(self, username: str, body: Any) -> Response:
        body = parse(body, {"tags": str})
        if isinstance(body, Response):
            return body
        name = path_value(username)
        if name not in self.world.console.users:
            return errors.error(errors.USER_NOT_FOUND, NOT_FOUND)
        self.world.console.set_tags(name, body["tags"])
        return errors.ok()

    async def delete_user(self, username: str) -> Response:
        name = path_value(username)
        if name == "admin":
            return errors.error(errors.ADMIN_UNDELETABLE, "admin cannot be deleted")
        if name not in self.world.console.users:
            return errors.error(errors.USER_NOT_FOUND, NOT_FOUND)
        self.world.console.remove_user(name)
        return errors.ok()

    async def check_auth(self, body: Any) -> Response:
        body = parse(body, {"username": str, "password": str})
        if isinstance(body, Response):
            return body
        user = self.world.console.users.get(body["username"])
        if user is None:
            return errors.error(errors.AUTH_FAILED, NOT_FOUND)
        if not user.checks(body["password"]):
            return errors.error(errors.AUTH_FAILED, "Password error")
        return errors.ok()

    async def change_password(self, username: str, body: Any) -> Response:
        body = parse(body, {"old_pwd": str, "new_pwd": str})
        if isinstance(body, Response):
            return body
        user = self.world.console.users.get(path_value(username))
        if user is None:
            return errors.error(errors.USER_NOT_FOUND, NOT_FOUND)
        if not user.checks(body["old_pwd"]):
            return errors.error(errors.OLD_PASSWORD_WRONG, "OldPassword error")
        self.world.console.set_password(user.username, body["new_pwd"])
        return errors.ok()
