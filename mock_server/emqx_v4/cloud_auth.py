"""EMQX Cloud's `/auth_user` and `/emqx_acl`: the username tables of `emqx_auth_mnesia` under
the names EMQX Cloud's published examples use (no CE 4.4.19 source; shapes from those
examples). `pubsub` is stored the way the plugin stores it: a `pub` and a `sub` rule.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.fixtures.auth_db import ACTIONS, Credential, Refused

from ..http import json_response
from ..paths import path_value
from . import errors, render
from .auth_db import Row, _text
from .query import CLOUD_DEFAULT_LIMIT, Page


class CloudAuthApi:
    """EMQX Cloud's `/auth_user` and `/emqx_acl`: the username tables under other names."""

    def __init__(self, world: World) -> None:
        self.world = world

    def _cloud_page(
        self, rows: list[Any], params: dict[str, Any], fmt: Callable[[Any], Row]
    ) -> Response:
        page = Page.from_params(params, CLOUD_DEFAULT_LIMIT)
        taken, _ = page.take(rows)
        meta = {"page": page.page, "limit": page.limit, "count": len(rows)}
        return errors.ok(data=[fmt(r) for r in taken], meta=meta)

    async def list_cloud_auth_users(self, **params: Any) -> Response:
        rows: list[Credential] = list(self.world.auth_db.users("username"))
        return self._cloud_page(rows, params, render.cloud_user)

    async def add_cloud_auth_users(self, body: Any = None) -> Response:
        items = body if isinstance(body, list) else [body]
        outcome: dict[str, str] = {}
        for item in items:
            item = item if isinstance(item, dict) else {}
            login, password = _text(item.get("login")), _text(item.get("password"))
            key = str(item.get("login"))
            if login is None or password is None:
                outcome[key] = "login" if login is None else "password"
                continue
            superuser = item.get("is_superuser") is True
            try:
                self.world.auth_db.add_user(
                    "username", login, password, self.world.tick(), superuser
                )
            except Refused as refused:
                outcome[key] = refused.word
            else:
                outcome[key] = "ok"
        return errors.ok(data=outcome)

    async def update_cloud_auth_user(self, login: str, body: Any = None) -> Response:
        body = body if isinstance(body, dict) else {}
        password = _text(body.get("password"))
        if password is None:
            return json_response(render.message("password"))
        superuser = body.get("is_superuser")
        try:
            self.world.auth_db.update_user(
                "username",
                path_value(login),
                password,
                superuser if isinstance(superuser, bool) else None,
            )
        except Refused as refused:
            return json_response(render.message(refused.word))
        return errors.ok()

    async def delete_cloud_auth_user(self, login: str) -> Response:
        self.world.auth_db.remove_user("username", path_value(login))
        return errors.ok()

    async def list_cloud_acl(self, **params: Any) -> Response:
        return self._cloud_page(
            list(self.world.auth_db.acl_rules("username")), params, render.cloud_acl
        )

    async def add_cloud_acl(self, body: Any = None) -> Response:
        items = body if isinstance(body, list) else [body]
        outcome: dict[str, str] = {}
        for item in items:
            item = item if isinstance(item, dict) else {}
            login, topic, action = (
                _text(item.get("login")),
                _text(item.get("topic")),
                item.get("action"),
            )
            allow = item.get("allow")
            failed: str | None = None
            if login is None:
                failed = "login"
            elif topic is None:
                failed = "topic"
            elif action not in ACTIONS:
                failed = "action"
            elif not isinstance(allow, bool):
                failed = "allow"
            else:
                access = "allow" if allow else "deny"
                self.world.auth_db.put_acl(
                    "username", login, topic, str(action), access, self.world.tick()
                )
            outcome[str(item.get("login"))] = failed or "ok"
        return errors.ok(data=outcome)

    async def delete_cloud_acl(self, login: str, topic: str) -> Response:
        self.world.auth_db.remove_acl("username", path_value(login), path_value(topic))
        return errors.ok()
