"""Deliberately broken servers: the faithful mock behind a fault-injecting ASGI layer.

This module holds the machinery and the EMQX v4 mutants; `emqx_v2_mutants.py` and
`hivemq_mutants.py` hold the other families', and `test_mutation.py` runs them all.

Each mutant breaks the contract in one way a real broker (or a bad upgrade) could: a required
field dropped, a type changed, an envelope key renamed, a wrong status or content type, a
crash, paging metadata that lies, authentication switched off, filters or page numbers ignored.
The contract suite must catch every one (the mutation score in the README), and must pass
against the faithful mock. A removed route is "caught" when the suite reports it as not served
— not as a failure (`Mutant.expect`).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send


@dataclass
class Reply:
    """A response as the mutant sees it (`body` is parsed JSON when it was JSON), with the
    request it answers: paging faults depend on the request's cursor or page."""

    status: int
    headers: dict[bytes, bytes]
    body: Any
    is_json: bool
    method: str = "GET"
    path: str = ""
    query: dict[str, str] = field(default_factory=dict)


Mutation = Callable[[Reply], None]
Wrap = Callable[[ASGIApp], ASGIApp]


@dataclass(frozen=True)
class Mutant:
    """One contract break: how to break the app, and where a suite run should look."""

    name: str
    api: str  # base path the suite run targets
    wrap: Wrap  # the faithful app → the broken app
    # `METHOD /path` regexes the suite run focuses on (the operations the fault can reach),
    # so a mutant costs seconds, not a whole-API run.
    include: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()  # further runner options (e.g. --allow-destructive)
    # "fail": the suite exits 1; "not served": it exits 0 and reports these operations (the
    # `include` labels, exactly) as not served
    expect: str = "fail"
    hivemq_auth: tuple[str, str] | None = None  # protect the mock's HiveMQ API (auth mutants)
    # The rule(s) meant to catch it: one must be named in the report (a mutant caught only by
    # some other, incidental check does not show that its own check works).
    rules: tuple[str, ...] = ()


class RequestRewrite:
    """Change the request before the faithful app sees it (its query string or headers)."""

    def __init__(
        self,
        app: ASGIApp,
        path: str,
        query: Callable[[list[tuple[str, str]]], list[tuple[str, str]]] | None = None,
        headers: Callable[[list[tuple[bytes, bytes]]], list[tuple[bytes, bytes]]] | None = None,
    ) -> None:
        self.app, self.where, self.query, self.headers = app, re.compile(path), query, headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.where.search(scope["path"]):
            scope = dict(scope)
            if self.query is not None:
                pairs = parse_qsl(scope.get("query_string", b"").decode("latin-1"), True)
                scope["query_string"] = urlencode(self.query(pairs)).encode("latin-1")
            if self.headers is not None:
                scope["headers"] = self.headers(list(scope.get("headers", [])))
        await self.app(scope, receive, send)


def requests_rewritten(path: str, **how: Any) -> Wrap:
    return lambda app: RequestRewrite(app, path, **how)


def basic(user: str, password: str) -> bytes:
    return b"Basic " + base64.b64encode(f"{user}:{password}".encode())


def auth_off(user: str = "admin", password: str = "public") -> Callable[[list[Any]], list[Any]]:
    """Every request arrives with the right credentials: authentication is switched off."""

    def headers(items: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
        kept = [(k, v) for k, v in items if k.lower() != b"authorization"]
        return [*kept, (b"authorization", basic(user, password))]

    return headers


def any_password(user: str = "admin", password: str = "public") -> Callable[[list[Any]], list[Any]]:
    """A request with credentials is let in whatever the password (none still is refused)."""

    def headers(items: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
        if not any(k.lower() == b"authorization" for k, _ in items):
            return items
        return auth_off(user, password)(items)

    return headers


def no_challenge(reply: Reply) -> None:
    if reply.status == 401:
        reply.headers = {k: v for k, v in reply.headers.items() if k.lower() != b"www-authenticate"}


def route_removed(body: bytes = b"Not found.", content_type: bytes = b"text/plain") -> Mutation:
    """The broker has no such route: its not-served answer, whatever was asked."""

    def mutate(reply: Reply) -> None:
        if reply.status == 401:
            return  # credentials are checked before routing
        reply.status, reply.is_json, reply.body = 404, False, body
        reply.headers = {b"content-type": content_type} if content_type else {}

    return mutate


def rewrite(mutation: Mutation, path: str = ".*") -> Wrap:
    """A wrap that rewrites responses to requests whose path matches `path`."""
    return lambda app: MutatingMiddleware(app, mutation, path)


class MutatingMiddleware:
    """Rewrite the responses of `app` whose request path matches `path`."""

    def __init__(self, app: ASGIApp, mutation: Mutation, path: str = ".*") -> None:
        self.app = app
        self.mutation = mutation
        self.where = re.compile(path)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.where.search(scope["path"]):
            await self.app(scope, receive, send)
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            raw = b"".join(chunks)
            headers = dict(start.get("headers", []))
            is_json = bool(raw) and b"json" in headers.get(b"content-type", b"")
            reply = Reply(
                start["status"],
                headers,
                orjson.loads(raw) if is_json else raw,
                is_json,
                scope["method"],
                scope["path"],
                dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"))),
            )
            self.mutation(reply)
            body = orjson.dumps(reply.body) if reply.is_json else reply.body
            reply.headers[b"content-length"] = str(len(body)).encode()
            await send({**start, "status": reply.status, "headers": list(reply.headers.items())})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, capture)


# -- EMQX v4 -----------------------------------------------------------------------------------


def _rows(reply: Reply) -> list[dict[str, Any]]:
    body = reply.body if reply.is_json else None
    data = body.get("data") if isinstance(body, dict) else None
    return [row for row in data if isinstance(row, dict)] if isinstance(data, list) else []


def _each_row(fn: Callable[[dict[str, Any]], None]) -> Mutation:
    def mutate(reply: Reply) -> None:
        for row in _rows(reply):
            fn(row)

    return mutate


def _on_meta(fn: Callable[[dict[str, Any], Reply], None]) -> Mutation:
    def mutate(reply: Reply) -> None:
        meta = reply.body.get("meta") if reply.is_json and isinstance(reply.body, dict) else None
        if isinstance(meta, dict):
            fn(meta, reply)

    return mutate


def _rename_data(reply: Reply) -> None:
    if reply.is_json and isinstance(reply.body, dict) and "data" in reply.body:
        reply.body["result"] = reply.body.pop("data")


def _business_error(reply: Reply) -> None:
    if reply.is_json and isinstance(reply.body, dict) and reply.body.get("code") == 0:
        reply.body = {"code": 102, "message": "internal_error"}


def status(code: int, instead_of: int = 200) -> Mutation:
    def mutate(reply: Reply) -> None:
        if reply.status == instead_of:
            reply.status = code

    return mutate


def html(reply: Reply) -> None:
    if reply.is_json:
        reply.headers[b"content-type"] = b"text/html; charset=utf-8"


def crash(reply: Reply) -> None:
    if reply.status == 200:
        reply.status, reply.is_json = 500, False
        reply.headers[b"content-type"] = b"text/plain"
        reply.body = b"Internal Error"


def _count_lies(meta: dict[str, Any], reply: Reply) -> None:
    if meta.get("count", -1) >= 0:
        meta["count"] += 7


def _hasnext_lies(meta: dict[str, Any], reply: Reply) -> None:
    meta["hasnext"] = not meta.get("hasnext")


def _page_not_echoed(meta: dict[str, Any], reply: Reply) -> None:
    meta["page"] = meta.get("page", 1) + 1


def _limit_ignored(meta: dict[str, Any], reply: Reply) -> None:
    rows = _rows(reply)
    if rows and len(rows) == meta.get("limit"):  # a full page gets one row too many
        reply.body["data"] = [*rows, rows[0]]


def _iso_time(row: dict[str, Any]) -> None:
    if "connected_at" in row:
        row["connected_at"] = row["connected_at"].replace(" ", "T") + "Z"


def _null_username(row: dict[str, Any]) -> None:
    if row.get("username") == "undefined":
        row["username"] = None


def _page_ignored_v4(meta: dict[str, Any], reply: Reply) -> None:
    """Paired with a request rewrite that drops `_page`: echo the page that was asked for."""
    asked = reply.query.get("x-asked-page")
    if asked is not None:
        meta["page"] = int(asked)


def _drop_page(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    asked = [v for k, v in pairs if k == "_page"]
    kept = [(k, v) for k, v in pairs if k != "_page"]
    return [*kept, ("x-asked-page", asked[0])] if asked and asked[0].isdigit() else kept


# Every filter of the client and subscription lists (emqx_mgmt_api_clients ?CLIENT_QS_SCHEMA,
# emqx_mgmt_api_subscriptions ?SUBS_QS_SCHEMA); paging parameters are kept.
FILTERS = re.compile(
    r"^(clientid|username|zone|ip_address|conn_state|clean_start|proto_name|proto_ver|topic|"
    r"qos|share|_match_topic|_like_\w+|_gte_\w+|_lte_\w+)$"
)


def _drop_filters(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(k, v) for k, v in pairs if not FILTERS.match(k)]


CLIENTS = r"/api/v4/(nodes/[^/]+/)?clients"
V4 = "/api/v4"
LISTS_V4 = r"/api/v4/(nodes/[^/]+/)?(clients|subscriptions)$"


def _v4(name: str, mutate: Mutation, path: str = CLIENTS) -> Mutant:
    return Mutant(name, V4, rewrite(mutate, path), include=("/clients",))


EMQX_V4_MUTANTS: dict[str, Mutant] = {
    m.name: m
    for m in (
        _v4("v4-client-drops-clientid", _each_row(lambda r: r.pop("clientid", None))),
        _v4(
            "v4-client-port-is-a-string",
            _each_row(lambda r: r.update(port=str(r.get("port"))) if "port" in r else None),
        ),
        _v4(
            "v4-client-connected-is-text",
            _each_row(lambda r: r.update(connected=str(r.get("connected")).lower())),
        ),
        _v4("v4-client-username-null", _each_row(_null_username)),
        _v4("v4-client-time-rfc3339", _each_row(_iso_time)),
        _v4("v4-envelope-data-renamed", _rename_data),
        _v4("v4-business-error-on-valid-request", _business_error, r"/api/v4/clients$"),
        _v4("v4-status-201", status(201)),
        _v4("v4-content-type-html", html),
        _v4("v4-server-error", crash, r"/api/v4/clients/[^/]+$"),
        _v4("v4-meta-count-lies", _on_meta(_count_lies)),
        _v4("v4-meta-hasnext-lies", _on_meta(_hasnext_lies)),
        _v4("v4-meta-page-not-echoed", _on_meta(_page_not_echoed)),
        _v4("v4-meta-limit-ignored", _on_meta(_limit_ignored)),
        # Authentication: a schema cannot see any of these; the security probes must.
        Mutant(
            "v4-auth-off",
            V4,
            requests_rewritten(V4, headers=auth_off()),
            include=("^GET /(clients|nodes|stats)$",),
            rules=("auth_required",),
        ),
        Mutant(
            "v4-any-password-accepted",
            V4,
            requests_rewritten(V4, headers=any_password()),
            include=("^GET /(clients|nodes|stats)$",),
            rules=("auth_required",),
        ),
        Mutant(
            "v4-401-without-www-authenticate",
            V4,
            rewrite(no_challenge, V4),
            include=("^GET /(clients|nodes|stats)$",),
            rules=("auth_challenge",),
        ),
        # Semantics: well-formed answers to requests they ignore parts of.
        Mutant(
            "v4-filters-ignored",
            V4,
            requests_rewritten(LISTS_V4, query=_drop_filters),
            include=("^GET /clients$", "^GET /subscriptions$"),
            rules=("filter_semantics",),
        ),
        Mutant(
            "v4-page-ignored",
            V4,
            lambda app: RequestRewrite(
                MutatingMiddleware(app, _on_meta(_page_ignored_v4), LISTS_V4),
                LISTS_V4,
                query=_drop_page,
            ),
            include=("^GET /clients$", "^GET /subscriptions$"),
            rules=("paging_semantics",),
        ),
        # A route the broker does not have: not served, never a failure.
        Mutant(
            "v4-route-removed",
            V4,
            rewrite(route_removed(), r"/api/v4/clients/[^/]+/acl_cache$"),
            include=("^GET /clients/{clientid}/acl_cache$",),
            expect="not served",
        ),
        Mutant(
            "v4-route-removed-nanomq-style",
            V4,
            rewrite(route_removed(b'{"code":102}', b""), r"/api/v4/routes$"),
            include=("^GET /routes$",),
            expect="not served",
        ),
    )
}
