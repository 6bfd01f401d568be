"""`emqx_auth_mnesia`: `/auth_clientid`, `/auth_username`, `/acl` (CE 4.4.19).

Read from `emqx_auth_mnesia_api.erl` and `emqx_acl_mnesia_api.erl` at v4.4.19:

* Credential rows and lookups are `{<kind>: login, "created_at": ms}` (`format/1`); an unknown
  login is `{}`. Lists are `emqx_mgmt_api:node_query/6`: paging style 1, `count` -1 once a
  filter (`clientid`, `_like_clientid`) is recognised, each page sorted newest first.
* One credential: `{"code":0}` or `{"message":<word>}` (`existed`, `login`, `password`). A
  batch answers `{login: outcome}` with outcomes printed as terms — `ok`, `{error,existed}`,
  `{error,password}` — built by prepending, so for a login sent twice the first item's
  outcome is the one the JSON object keeps (minirest's `to_map/1` folds the list).
* ACL: one rule answers `{"code":0,"data":{…,"result":"ok"}}`; a refused one
  `{"message":"{add,#{…}}"}`, the printed term (`return({error, {add, Re}})`), with the
  failed check as `result => <<"{error,topic}">>`. A batch answers every echo, reversed.
  Lists page with `paginate_qh/5`: `meta` is page/limit/count with `count` the filtered
  total (never -1), default limit 50, each page sorted newest first. `pubsub` is stored as two
  rules (fixtures/auth_db.py), so it reads back as a `pub` and a `sub` row.
* Deletes always answer `{"code":0}`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.fixtures.auth_db import ACCESS, ACTIONS, AclRule, AuthDb, Refused, newest_first

from ..http import json_response
from ..paths import path_value
from . import errors, eterm, render
from .query import ACL_DEFAULT_LIMIT, Page

Row = dict[str, Any]
_MISSING = object()


def _text(value: Any) -> str | None:
    """A value the plugins' `do_validation/2` accepts: a non-empty binary."""
    return value if isinstance(value, str) and value else None


def _json_key(value: Any) -> str:
    """How jiffy writes a login term as an object key (absent → the atom `undefined`)."""
    if value is _MISSING:
        return "undefined"
    if value is None or isinstance(value, bool):
        return eterm.term(value)
    return str(value)


class AuthDbApi:
    """The CE 4.4 routes."""

    def __init__(self, world: World) -> None:
        self.world = world

    @property
    def db(self) -> AuthDb:
        return self.world.auth_db

    # -- credentials -------------------------------------------------------------------------

    def _list(self, kind: str, params: dict[str, Any]) -> Response:
        rows: Iterable[Any] = self.db.users(kind)
        exact, like = params.get(kind), params.get(f"_like_{kind}")
        if exact is not None:  # an exact login makes the fuzzy one moot (pick_params_to_qs)
            rows = (c for c in rows if c.login == str(exact))
        elif like is not None:
            rows = (c for c in rows if str(like) in c.login)
        page = Page.from_params(params)
        taken, hasnext = page.take(rows)
        filtered = exact is not None or like is not None
        total = -1 if filtered else sum(1 for _ in self.db.users(kind))
        data = sorted(taken, key=lambda c: c.created_at, reverse=True)
        return errors.ok(data=[render.credential(c) for c in data], meta=page.meta(total, hasnext))

    def _add_one(self, kind: str, item: dict[str, Any]) -> str:
        """`do_add_clientid/1`: `ok` or the refusal's word."""
        login, password = _text(item.get(kind)), _text(item.get("password"))
        if login is None:
            return "login"
        if password is None:
            return "password"
        try:
            self.db.add_user(kind, login, password, self.world.tick())
        except Refused as refused:
            return refused.word
        return "ok"

    def _add(self, kind: str, body: Any) -> Response:
        if isinstance(body, list):  # the schema asks for objects; the handler assumes them
            outcome: dict[str, str] = {}
            for item in body:
                item = item if isinstance(item, dict) else {}
                result = self._add_one(kind, item)
                key = _json_key(item.get(kind, _MISSING))
                outcome.setdefault(key, "ok" if result == "ok" else eterm.error_tuple(result))
            return errors.ok(data=outcome)
        result = self._add_one(kind, body if isinstance(body, dict) else {})
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
        """`list_clientid/2` & co.: `login_acl_table/2` filtered by `filter_params/2`."""
        preds: list[Callable[[AclRule], bool]] = []
        for name in ("topic", "action", "access"):
            if name in params:
                preds.append(_field_is(name, str(params[name])))
        if kind != "all" and kind in params:
            preds.append(_field_is("login", str(params[kind])))
        elif kind != "all" and f"_like_{kind}" in params:
            preds.append(_login_has(str(params[f"_like_{kind}"])))
        rows = [r for r in self.db.acl_rules(kind) if all(p(r) for p in preds)]
        page = Page.from_params(params, ACL_DEFAULT_LIMIT)
        taken = rows[page.offset : page.offset + max(page.limit, 0)]
        meta = {"page": page.page, "limit": page.limit, "count": len(rows)}
        return errors.ok(data=[render.acl_rule(r) for r in newest_first(taken)], meta=meta)

    def _acl_add_one(self, item: dict[str, Any]) -> tuple[bool, eterm.ErlMap]:
        """`do_add/1`: whether it was stored, and the echo the handler builds."""
        clientid, username = item.get("clientid", _MISSING), item.get("username", _MISSING)
        kind, login = (
            ("clientid", clientid)
            if clientid is not _MISSING
            else ("username", username)
            if username is not _MISSING
            else ("all", None)
        )
        got = {k: item.get(k, _MISSING) for k in ("topic", "action", "access")}
        failed = (
            "login"
            if kind != "all" and _text(login) is None
            else "topic"
            if _text(got["topic"]) is None
            else "action"
            if got["action"] not in ACTIONS or not isinstance(got["action"], str)
            else "access"
            if got["access"] not in ACCESS or not isinstance(got["access"], str)
            else None
        )
        if failed is None:
            topic, action, access = str(got["topic"]), str(got["action"]), str(got["access"])
            self.db.put_acl(kind, login, topic, action, access, self.world.tick())
        who = eterm.Atom("all") if kind == "all" else eterm.Atom(kind)
        fields = [(eterm.Atom(k), eterm.UNDEFINED if v is _MISSING else v) for k, v in got.items()]
        echo = (
            *fields,
            (who, eterm.Atom("$all") if kind == "all" else login),
            (eterm.Atom("result"), "ok" if failed is None else eterm.error_tuple(failed)),
        )
        return failed is None, eterm.ErlMap(echo)

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
        if isinstance(body, list):  # `do_add/2` prepends: the answer lists the echoes reversed
            echoes = [self._acl_add_one(i if isinstance(i, dict) else {})[1] for i in body]
            return errors.ok(data=[render.erl_map(e) for e in reversed(echoes)])
        stored, echo = self._acl_add_one(body if isinstance(body, dict) else {})
        if stored:
            return errors.ok(data=render.erl_map(echo))
        failure = (eterm.Atom("add"), echo)
        return json_response(render.message(eterm.term(failure)))

    async def delete_acl_clientid(self, clientid: str, topic: str) -> Response:
        self.db.remove_acl("clientid", path_value(clientid), path_value(topic))
        return errors.ok()

    async def delete_acl_username(self, username: str, topic: str) -> Response:
        self.db.remove_acl("username", path_value(username), path_value(topic))
        return errors.ok()

    async def delete_acl_all(self, topic: str) -> Response:
        self.db.remove_acl("all", None, path_value(topic))
        return errors.ok()


def _field_is(name: str, value: str) -> Callable[[AclRule], bool]:
    return lambda rule: bool(getattr(rule, name) == value)


def _login_has(needle: str) -> Callable[[AclRule], bool]:
    return lambda rule: needle in (rule.login or "")
