"""Deliberately broken EMQ 2.3 APIs: rewrites of the faithful mock's `/api/v2` answers.

Each breaks the contract in one way a real broker (or a bad upgrade) could; the suite must
fail against every one (`test_mutation.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .mutants import (
    Mutant,
    Reply,
    RequestRewrite,
    auth_off,
    crash,
    html,
    requests_rewritten,
    rewrite,
    status,
)

BodyRewrite = Callable[[Any], Any]
Mutation = Callable[[Reply], None]


def _on_json(rewrite: BodyRewrite) -> Mutation:
    def mutate(reply: Reply) -> None:
        if reply.is_json:
            reply.body = rewrite(reply.body)

    return mutate


def _paged(fn: Callable[[dict[str, Any]], None]) -> BodyRewrite:
    def mutate(body: Any) -> Any:
        result = body.get("result") if isinstance(body, dict) else None
        if isinstance(result, dict) and "total_num" in result:
            fn(result)
        return body

    return mutate


def _rename_result(body: Any) -> Any:
    if isinstance(body, dict) and "result" in body:
        body["data"] = body.pop("result")
    return body


def _total_page_off_by_one(result: dict[str, Any]) -> None:
    result["total_page"] += 1


def _page_not_echoed(result: dict[str, Any]) -> None:
    result["current_page"] = result["current_page"] + 1


def _page_overfull(result: dict[str, Any]) -> None:
    result["objects"] = result["objects"] + result["objects"][:1]


def _route_drops_node(body: Any) -> Any:
    result = body.get("result") if isinstance(body, dict) else None
    objects = result.get("objects") if isinstance(result, dict) else None
    for item in objects or ():
        if isinstance(item, dict) and "node" in item:
            item.pop("node")
    return body


def _stats_dotted(body: Any) -> Any:
    """4.x spellings leaking into the 2.x API (`clients.count` for `clients/count`)."""
    result = body.get("result") if isinstance(body, dict) else None
    tables = result if isinstance(result, list) else [result]
    for table in tables:
        if not isinstance(table, dict):
            continue
        for stats in table.values():
            if isinstance(stats, dict) and "clients/count" in stats:
                for key in list(stats):
                    stats[key.replace("/", ".")] = stats.pop(key)
    return body


def _success_as_error(body: Any) -> Any:
    """A broker answering valid lookups with an undocumented business error."""
    if isinstance(body, dict) and body.get("code") == 0:
        return {"code": 102, "message": "unknown"}
    return body


def _client_rows(fn: Callable[[dict[str, Any]], None]) -> BodyRewrite:
    def mutate(body: Any) -> Any:
        result = body.get("result") if isinstance(body, dict) else None
        rows = result.get("objects") if isinstance(result, dict) else result
        for row in rows if isinstance(rows, list) else ():
            if isinstance(row, dict) and "client_id" in row:
                fn(row)
        return body

    return mutate


PAGED = r"/api/v2/nodes/[^/]+/clients$"


def _drop_page(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A broker that ignores `curr_page` (always page 1) …"""
    asked = [v for k, v in pairs if k == "curr_page"]
    kept = [(k, v) for k, v in pairs if k != "curr_page"]
    return [*kept, ("x-asked-page", asked[0])] if asked and asked[0].isdigit() else kept


def _echo_asked_page(reply: Reply) -> None:
    """… but echoes it, so the paging arithmetic of the answer still looks right."""
    result = reply.body.get("result") if reply.is_json and isinstance(reply.body, dict) else None
    asked = reply.query.get("x-asked-page")
    if isinstance(result, dict) and "total_num" in result and asked is not None:
        result["current_page"] = int(asked)


REWRITES: dict[str, BodyRewrite] = {
    "envelope-result-renamed": _rename_result,
    "paging-total-page-lies": _paged(_total_page_off_by_one),
    "paging-current-page-not-echoed": _paged(_page_not_echoed),
    "paging-more-objects-than-page-size": _paged(_page_overfull),
    "route-drops-node": _route_drops_node,
    "stats-use-dotted-names": _stats_dotted,
    "success-answered-as-business-error": _success_as_error,
    "client-drops-ipaddress": _client_rows(lambda row: row.pop("ipaddress", None)),
    "client-clean-sess-is-text": _client_rows(
        lambda row: row.update(clean_sess=str(row.get("clean_sess")).lower())
    ),
}
V2 = "/api/v2"
FOCUS = ("/clients", "/sessions", "/routes", "/monitoring/stats", "/subscriptions")
EMQX_V2_MUTANTS: dict[str, Mutant] = {
    f"v2-{name}": Mutant(f"v2-{name}", V2, rewrite(_on_json(fn), V2), FOCUS)
    for name, fn in REWRITES.items()
} | {
    m.name: m
    for m in (
        Mutant(
            "v2-status-201", V2, rewrite(status(201), V2 + "/(nodes/[^/]+/)?clients"), ("/clients",)
        ),
        Mutant("v2-content-type-html", V2, rewrite(html, V2 + "/routes"), ("/routes",)),
        Mutant("v2-server-error", V2, rewrite(crash, V2 + "/clients/"), ("/clients",)),
        Mutant(
            "v2-auth-off",
            V2,
            requests_rewritten(V2, headers=auth_off()),
            ("^GET /management/nodes$", "^GET /monitoring/stats$"),
            rules=("auth_required",),
        ),
        Mutant(
            "v2-curr-page-ignored",
            V2,
            lambda app: RequestRewrite(
                rewrite(_echo_asked_page, PAGED)(app), PAGED, query=_drop_page
            ),
            ("^GET /nodes/{node}/clients$",),
            rules=("paging_semantics",),
        ),
    )
}
