"""`/banned…`: the cluster's ban list (paging style 2), adding and removing bans.

`POST` echoes the request's parameters as `data`, not the stored record with its defaults
(`by` "user", `at` now, `until` now + 300 s, all Unix seconds). A ban does not disconnect a
client that is already connected. `DELETE` answers `{"code":0}` whether or not the ban existed.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import BannedEntry, World

from ..paths import path_value
from . import errors, serialize
from .query import Page

KINDS = ("clientid", "username", "peerhost")
BAD_KIND = "value of 'as' must be one of: ['clientid', 'username', 'peerhost']"
MISSING = "missing mandatory params: ['who', 'as']"
DEFAULT_SPAN = 300  # s


def refusal(params: dict[str, Any]) -> Response | None:
    """The broker's 107/108 for a ban request, or None when it is acceptable."""
    if "who" not in params or "as" not in params:
        return errors.error(errors.MISSING_PARAMETER, MISSING)
    if params["as"] not in KINDS:
        return errors.error(errors.BAD_PARAMETER, BAD_KIND)
    return None


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


class BannedApi:
    def __init__(self, world: World) -> None:
        self.world = world

    async def list_banned(self, **params: Any) -> Response:
        page = Page.from_params(params)
        # Rule bans (EMQX 5's `clientid_re`, `username_re`, `peerhost_net`) are no 4.x kind.
        entries = [b for b in self.world.banned.values() if b.kind in KINDS]
        rows, _ = page.take(entries)
        meta = {"page": page.page, "limit": page.limit, "count": len(entries)}
        return errors.ok(data=[serialize.banned(b) for b in rows], meta=meta)

    async def create_banned(self, body: dict[str, Any]) -> Response:
        problem = refusal(body)
        if problem is not None:
            return problem
        who = str(body["who"])
        if body["as"] == "peerhost" and not _is_ip(who):  # the broker crashes (500)
            return errors.error(errors.BAD_PARAMETER, "bad_params")
        now_s = self.world.now // 1000
        at = int(body.get("at", now_s))
        until = int(body.get("until", now_s + DEFAULT_SPAN))
        entry = BannedEntry(
            body["as"],
            who,
            str(body.get("by", "user")),
            str(body["reason"]),
            at * 1000,
            until * 1000,
        )
        self.world.ban(entry)
        return errors.ok(data=body)

    async def delete_banned(self, who: str, **params: Any) -> Response:
        kind = params["as"]
        if kind not in KINDS:
            return errors.error(errors.BAD_PARAMETER, BAD_KIND)
        who = path_value(who)
        if kind == "peerhost" and not _is_ip(who):  # the broker crashes (500)
            return errors.error(errors.BAD_PARAMETER, "bad_params")
        self.world.unban(kind, who)
        return errors.ok()
