"""Deliberately broken HiveMQ APIs: the faithful mock behind a fault-injecting ASGI layer.

Paging faults need the request too: a broker that ignores the cursor, or loses a client on
every continuation page, answers each page with a body that is well-formed on its own — only
the cursor-walk check sees them. Each mutant breaks the contract in one way; the contract
suite must fail against every one (`test_mutation.py`).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Receive, Scope, Send

from .mutants import (
    Mutant,
    Reply,
    any_password,
    crash,
    html,
    requests_rewritten,
    rewrite,
    status,
)

V1 = "/api/v1"
LIST_PATH = "/api/v1/mqtt/clients"
CLIENT = r"/api/v1/mqtt/clients/[^/]+$"


def _is_list(reply: Reply) -> bool:
    return reply.path == LIST_PATH and isinstance(reply.body, dict) and "items" in reply.body


def _drop_items(reply: Reply) -> None:
    if _is_list(reply):
        del reply.body["items"]


def _lose_first_client_of_later_pages(reply: Reply) -> None:
    if _is_list(reply) and "cursor" in reply.query and reply.body["items"]:
        reply.body["items"].pop(0)


def _last_page_links_back_to_the_first(reply: Reply) -> None:
    if _is_list(reply) and "_links" not in reply.body and "cursor" in reply.query:
        limit = reply.query.get("limit", "500")
        # Looks like a real continuation (a cursor is present) but restarts the list.
        query = urlencode({"cursor": "restart", "limit": limit})
        reply.body["_links"] = {"next": f"{LIST_PATH}?{query}"}


def _absolute_next(reply: Reply) -> None:
    if _is_list(reply) and isinstance(reply.body.get("_links"), dict):
        reply.body["_links"]["next"] = "http://broker.example" + reply.body["_links"]["next"]


def _errors_as_message(reply: Reply) -> None:
    if isinstance(reply.body, dict) and "errors" in reply.body:
        reply.body = {"message": reply.body["errors"][0]["detail"]}


def _details(fn: Any) -> Any:
    def mutate(reply: Reply) -> None:
        client = reply.body.get("client") if isinstance(reply.body, dict) else None
        if isinstance(client, dict):
            fn(client)

    return mutate


def _connected_at_epoch(client: dict[str, Any]) -> None:
    if client.get("connectedAt"):
        client["connectedAt"] = 1_700_000_000_000


class CursorIgnored:
    """A broker that drops the cursor: every `_links.next` serves the first page again."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == LIST_PATH:
            query = [(k, v) for k, v in parse_qsl(scope["query_string"].decode()) if k != "cursor"]
            scope = dict(scope, query_string=urlencode(query).encode())
        await self.app(scope, receive, send)


def _drop_limit(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(k, v) for k, v in pairs if k != "limit"]


HIVEMQ_AUTH = ("ops", "hive-pw")
LIST = ("GET /mqtt/clients$",)
DETAILS = ("GET /mqtt/clients/{clientId}$",)
HIVEMQ_MUTANTS: dict[str, Mutant] = {
    m.name: m
    for m in (
        Mutant("hivemq-cursor-ignored", V1, CursorIgnored, LIST),
        Mutant(
            "hivemq-later-pages-lose-a-client",
            V1,
            rewrite(_lose_first_client_of_later_pages, LIST_PATH),
            LIST,
        ),
        Mutant(
            "hivemq-last-page-links-back",
            V1,
            rewrite(_last_page_links_back_to_the_first, LIST_PATH),
            LIST,
        ),
        Mutant("hivemq-next-is-absolute", V1, rewrite(_absolute_next, LIST_PATH), LIST),
        Mutant("hivemq-list-drops-items", V1, rewrite(_drop_items, LIST_PATH), LIST),
        Mutant("hivemq-errors-as-message", V1, rewrite(_errors_as_message, V1), DETAILS),
        Mutant(
            "hivemq-details-drop-id",
            V1,
            rewrite(_details(lambda c: c.pop("id", None)), CLIENT),
            DETAILS,
        ),
        Mutant(
            "hivemq-connected-at-epoch", V1, rewrite(_details(_connected_at_epoch), CLIENT), DETAILS
        ),
        Mutant("hivemq-content-type-text", V1, rewrite(html, CLIENT), DETAILS),
        Mutant("hivemq-server-error", V1, rewrite(crash, CLIENT), DETAILS),
        # The broker's default page (500) whatever `limit` asks: pages are well-formed alone.
        Mutant(
            "hivemq-limit-ignored",
            V1,
            requests_rewritten(LIST_PATH + "$", query=_drop_limit),
            LIST,
            rules=("paging_semantics",),
        ),
        # A protected HiveMQ REST API (run with --auth) that lets any password in.
        Mutant(
            "hivemq-any-password-accepted",
            V1,
            requests_rewritten(V1, headers=any_password(*HIVEMQ_AUTH)),
            LIST + DETAILS,
            ("--auth", ":".join(HIVEMQ_AUTH)),
            hivemq_auth=HIVEMQ_AUTH,
            rules=("auth_required",),
        ),
        # Only a successful delete shows it: the stateful profile deletes clients it listed.
        Mutant(
            "hivemq-delete-answers-200",
            V1,
            rewrite(status(200, instead_of=204), CLIENT),
            ("/mqtt/clients",),
            ("--allow-destructive", "--profile", "stateful"),
        ),
    )
}
