"""`emqx_auth_mnesia`: `/auth_clientid`, `/auth_username`, `/acl` (CE 4.4) and the EMQX Cloud
names of the same tables, `/auth_user` and `/emqx_acl`.

Behaviour read from the plugin's API module: writes answer `{"code":0}` or `{"message":
<reason>}` (`existed`, `noexisted`, or the name of the field that failed validation: `login`,
`password`, `topic`, `action`, `access`); a JSON array body is a batch whose answer maps each
item to its outcome; lookups of an unknown login are `{"code":0,"data":{}}` (credentials) or
`[]` (ACL); deletes always succeed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.fixtures.auth_db import ACCESS, ACTIONS, AclRule, AuthDb, Credential, Refused

from ..http import json_response
from ..paths import path_value
from . import errors, render
from .query import CLOUD_DEFAULT_LIMIT, Page

Row = dict[str, Any]


def _page(
    rows: Iterable[Any],
    params: dict[str, Any],
    filtered: bool,
    total: int,
    fmt: Callable[[Any], Row],
) -> Response:
    page = Page.from_params(params)
    taken, hasnext = page.take(rows)
    meta = page.meta(-1 if filtered else total, hasnext)
    return errors.ok(data=[fmt(r) for r in taken], meta=meta)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


class AuthDbApi:
    """The CE 4.4 routes."""

    def __init__(self, world: World) -> None:
        self.world = world

    @property
    def db(self) -> AuthDb:
        return self.world.auth_db

    # -- credentials -------------------------------------------------------------------------

    def _list(self, kind: str, params: dict[str, Any]) -> Response:
        like = params.get(f"_like_{kind}")
        rows = list(self.db.users(kind))
        total = len(rows)
        if like is not None:
            rows = [c for c in rows if str(like) in c.login]
        return _page(rows, params, like is not None, total, render.credential_row)

    def _add_one(self, kind: str, item: Any) -> str:
        if not isinstance(item, dict):
            return "login"
        login, password = _text(item.get(kind)), _text(item.get("password"))
        if login is None:
            return "login"
        if password is None:
            return "password"
        try:
            self.db.add_user(kind, login, password, self.world.now)
        except Refused as refused:
            return refused.word
        return "ok"

    def _add(self, kind: str, body: Any) -> Response:
        if isinstance(body, list):  # batch: {login: outcome}, one entry per item
            outcome: dict[str, str] = {}
            for item in body:
                key = item.get(kind) if isinstance(item, dict) else None
                outcome[str(key) if key is not None else "undefined"] = self._add_one(kind, item)
            return errors.ok(data=outcome)
        result = self._add_one(kind, body)
        return errors.ok() if result == "ok" else json_response(render.message(result))

    def _get(self, kind: str, login: str) -> Response:
        cred = self.db.user(kind, path_value(login))
        return errors.ok(data=render.credential(cred) if cred else {})

    def _update(self, kind: str, login: str, body: Any) -> Response:
        password = _text(body.get("password")) if isinstance(body, dict) else None
        if password is None:
            return json_response(render.message("password"))
        try:
            self.db.update_user(kind, path_value(login), password)
        except Refused as refused:
            return json_response(render.message(refused.word))
        return errors.ok()

    def _delete(self, kind: str, login: str) -> Response:
        self.db.remove_user(kind, path_value(login))
        return errors.ok()

    async def list_auth_clientids(self, **params: Any) -> Response:
        return self._list("clientid", params)

    async def add_auth_clientids(self, body: Any = None) -> Response:
        return self._add("clientid", body)

    async def get_auth_clientid(self, clientid: str) -> Response:
        return self._get("clientid", clientid)

    async def update_auth_clientid(self, clientid: str, body: Any = None) -> Response:
        return self._update("clientid", clientid, body)

    async def delete_auth_clientid(self, clientid: str) -> Response:
        return self._delete("clientid", clientid)

    async def list_auth_usernames(self, **params: Any) -> Response:
        return self._list("username", params)

    async def add_auth_usernames(self, body: Any = None) -> Response:
        return self._add("username", body)

    async def get_auth_username(self, username: str) -> Response:
        return self._get("username", username)

    async def update_auth_username(self, username: str, body: Any = None) -> Response:
        return self._update("username", username, body)

    async def delete_auth_username(self, username: str) -> Response:
        return self._delete("username", username)

    # -- ACL ---------------------------------------------------------------------------------

    def _acl_list(self, kind: str, params: dict[str, Any]) -> Response:
        like = params.get(f"_like_{kind}") if kind != "all" else None
        rows = list(self.db.acl_rules(kind))
        total = len(rows)
        if like is not None:
            rows = [r for r in rows if str(like) in (r.login or "")]
        return _page(rows, params, like is not None, total, render.acl_rule)

    def _acl_add_one(self, item: Any) -> Row:
        item = item if isinstance(item, dict) else {}
        clientid, username = item.get("clientid"), item.get("username")
        kind, login = (
            ("clientid", clientid)
            if clientid is not None
            else ("username", username)
            if username is not None
            else ("all", None)
        )
        topic, action, access = item.get("topic"), item.get("action"), item.get("access")
        failed = (
            "login"
            if kind != "all" and _text(login) is None
            else "topic"
            if _text(topic) is None
            else "action"
            if action not in ACTIONS
            else "access"
            if access not in ACCESS
            else None
        )
        if failed is None:
            self.db.put_acl(AclRule(kind, login, topic, action, access, self.world.now))
        who: Row = {"all": "$all"} if kind == "all" else {kind: login}
        return {**who, "topic": topic, "action": action, "access": access, "result": failed or "ok"}

    async def list_acl_clientid(self, **params: Any) -> Response:
        return self._acl_list("clientid", params)

    async def list_acl_username(self, **params: Any) -> Response:
        return self._acl_list("username", params)

    async def list_acl_all(self, **params: Any) -> Response:
        return self._acl_list("all", params)

    async def get_acl_clientid(self, clientid: str) -> Response:
        rules = self.db.acl_of("clientid", path_value(clientid))
        return errors.ok(data=[render.acl_rule(r) for r in rules])

    async def get_acl_username(self, username: str) -> Response:
        rules = self.db.acl_of("username", path_value(username))
        return errors.ok(data=[render.acl_rule(r) for r in rules])

    async def add_acl(self, body: Any = None) -> Response:
        if isinstance(body, list):
            # The plugin accumulates results by prepending: the answer lists them reversed.
            return errors.ok(data=[self._acl_add_one(item) for item in body][::-1])
        result = self._acl_add_one(body)
        if result["result"] == "ok":
            return errors.ok(data=result)
        return json_response(render.message(result))

    async def delete_acl_clientid(self, clientid: str, topic: str) -> Response:
        self.db.remove_acl("clientid", path_value(clientid), path_value(topic))
        return errors.ok()

    async def delete_acl_username(self, username: str, topic: str) -> Response:
        self.db.remove_acl("username", path_value(username), path_value(topic))
        return errors.ok()

    async def delete_acl_all(self, topic: str) -> Response:
        self.db.remove_acl("all", None, path_value(topic))
        return errors.ok()


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
                self.world.auth_db.add_user("username", login, password, self.world.now, superuser)
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
                    AclRule("username", login, topic, str(action), access, self.world.now)
                )
            outcome[str(item.get("login"))] = failed or "ok"
        return errors.ok(data=outcome)

    async def delete_cloud_acl(self, login: str, topic: str) -> Response:
        self.world.auth_db.remove_acl("username", path_value(login), path_value(topic))
        return errors.ok()
