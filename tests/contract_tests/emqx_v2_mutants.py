"""Deliberately broken EMQ 2.3 APIs: body rewrites of the faithful mock's `/api/v2` answers.

Each breaks the contract in one way a real broker (or a bad upgrade) could; the suite must
fail against every one. Used with `mutants.MutatingMiddleware`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .mutants import Reply

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


REWRITES: dict[str, BodyRewrite] = {
    "envelope-result-renamed": _rename_result,
    "paging-total-page-lies": _paged(_total_page_off_by_one),
    "paging-current-page-not-echoed": _paged(_page_not_echoed),
    "paging-more-objects-than-page-size": _paged(_page_overfull),
    "route-drops-node": _route_drops_node,
    "stats-use-dotted-names": _stats_dotted,
    "success-answered-as-business-error": _success_as_error,
}
V2_MUTANTS: dict[str, Mutation] = {name: _on_json(fn) for name, fn in REWRITES.items()}
