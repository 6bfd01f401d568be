"""Deliberately broken EMQX 5 APIs: the faithful mock behind a fault-injecting ASGI layer.

Each mutant breaks `/api/v5`'s contract the way a broker (or a bad upgrade, or a 4.x habit)
could: a required field dropped or retyped, the `data` envelope renamed, paging `meta` that
lies, errors in 4.x's shape (a numeric `code`, or HTTP 200 for a failure), a wrong content
type, a crash, a wrong status for a delete. The contract suite must fail against each
(`test_mutation.py`).
"""

from __future__ import annotations

from typing import Any

from .mutants import (
    Mutant,
    Mutation,
    Reply,
    _count_lies,
    _each_row,
    _hasnext_lies,
    _limit_ignored,
    _on_meta,
    _page_not_echoed,
    _rename_data,
    crash,
    html,
    rewrite,
    status,
)

V5 = "/api/v5"
LIST = r"/api/v5/clients$"
ONE = r"/api/v5/clients/[^/]+$"
LISTING = ("GET /clients$",)
LOOKUP = ("GET /clients/{clientid}$",)


def _numeric_code(reply: Reply) -> None:
    """4.x's numeric business code in a 5.x error body."""
    if reply.status >= 400 and isinstance(reply.body, dict) and "code" in reply.body:
        reply.body["code"] = 112


def _failure_as_200(reply: Reply) -> None:
    """4.x's way: a failure answered with HTTP 200 and a code."""
    if reply.status == 404 and isinstance(reply.body, dict):
        reply.status, reply.body = 200, {"code": 112, "message": reply.body.get("message")}


def _one(fn: Any) -> Mutation:
    def mutate(reply: Reply) -> None:
        if reply.status == 200 and isinstance(reply.body, dict) and "clientid" in reply.body:
            fn(reply.body)

    return mutate


def _v5(name: str, mutate: Mutation, path: str, include: tuple[str, ...]) -> Mutant:
    return Mutant(name, V5, rewrite(mutate, path), include=include)


EMQX_V5_MUTANTS: dict[str, Mutant] = {
    m.name: m
    for m in (
        # A list row may lack any key (`fields` selects them), so the lookup is where a
        # missing `clientid` breaks the contract.
        _v5("v5-lookup-drops-clientid", _one(lambda c: c.pop("clientid", None)), ONE, LOOKUP),
        _v5("v5-client-port-is-a-string",
            _each_row(lambda r: r.update(port=str(r.get("port"))) if "port" in r else None),
            LIST, LISTING),
        _v5("v5-lookup-connected-is-text",
            _one(lambda c: c.update(connected=str(c.get("connected")).lower())), ONE, LOOKUP),
        _v5("v5-envelope-data-renamed", _rename_data, LIST, LISTING),
        _v5("v5-meta-count-lies", _on_meta(_count_lies), LIST, LISTING),
        _v5("v5-meta-hasnext-lies", _on_meta(_hasnext_lies), LIST, LISTING),
        _v5("v5-meta-page-not-echoed", _on_meta(_page_not_echoed), LIST, LISTING),
        _v5("v5-meta-limit-ignored", _on_meta(_limit_ignored), LIST, LISTING),
        _v5("v5-error-code-is-numeric", _numeric_code, ONE, LOOKUP),
        _v5("v5-failure-answers-200", _failure_as_200, ONE, LOOKUP),
        _v5("v5-content-type-html", html, LIST, LISTING),
        _v5("v5-server-error", crash, ONE, LOOKUP),
        # Only a successful delete shows it: the stateful profile deletes clients it listed.
        Mutant(
            "v5-kick-answers-200",
            V5,
            rewrite(status(200, instead_of=204), ONE),
            ("/clients",),
            ("--allow-destructive", "--profile", "stateful"),
        ),
    )
}  # fmt: skip
