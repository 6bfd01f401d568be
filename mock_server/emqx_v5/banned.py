"""`/banned…`: emqx_mgmt_api_banned.erl and emqx_banned.erl (5.8.1).

Six kinds: `clientid`, `username`, `peerhost` (an address) and the rules `clientid_re`,
`username_re` (regular expressions) and `peerhost_net` (a CIDR). Times are Unix seconds on the
way in (or RFC 3339) and RFC 3339 on the way out; `until` defaults to `infinity`.

Listing has three shapes (`list_banned/3`): no filter pages every ban with `meta` `{page,
limit, count}` — **no `hasnext`**, `emqx_mgmt_api:paginate/3` never adds it; one exact filter
answers that ban alone, unpaged, `{page, limit, hasnext: false, count}`; one `like_*` filter
(a regular expression) pages the matches with `{page, limit, hasnext}`. Two filters or more
are 400 `too_many_filters`.
"""

from __future__ import annotations

import ipaddress
import json
import re
from datetime import datetime
from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import BannedEntry, World

from ..paths import path_value
from . import errors, paging, render

KINDS = ("clientid", "username", "peerhost", "clientid_re", "username_re", "peerhost_net")
_RULE_KINDS = ("clientid_re", "username_re", "peerhost_net")  # BANNED_RULE_TAB, listed first
_EXACT = ("clientid", "username", "peerhost")
_LIKE = {  # filter → the kinds whose `who` it searches
    "like_clientid": ("clientid", "clientid_re"),
    "like_username": ("username", "username_re"),
    "like_peerhost": ("peerhost",),
    "like_peerhost_net": ("peerhost_net",),
}


def format_ban(b: BannedEntry) -> dict[str, Any]:
    """emqx_banned:format/1."""
    return {
        "as": b.kind,
        "at": render.rfc3339_s(b.at // 1000),
        "by": b.by,
        "reason": b.reason,
        "until": render.rfc3339_s(b.until // 1000) if b.until is not None else "infinity",
        "who": b.who,
    }


def normalized(kind: str, who: str) -> str | None:
    """emqx_banned:parse_who/1 then format_who/1: the stored form, None if it does not parse."""
    try:
        if kind == "peerhost":
            return str(ipaddress.ip_address(who))
        if kind == "peerhost_net":
            return str(ipaddress.ip_network(who, strict=False))
        if kind in ("clientid_re", "username_re"):
            re.compile(who)
    except ValueError:
        return None
    except re.error:
        return None
    return who


def epoch_s(value: Any) -> int | None:
    """emqx_utils_calendar:to_epoch_second/1 (digits, or RFC 3339)."""
    text = str(value).strip()
    if text.lstrip("-").isdigit():
        return int(text)
    try:
        return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())
    except ValueError:
        return None


class BannedApi:
    def __init__(self, world: World) -> None:
        self.world = world

    def _ordered(self) -> list[BannedEntry]:
        entries = list(self.world.banned.values())
        return [b for b in entries if b.kind in _RULE_KINDS] + [
            b for b in entries if b.kind not in _RULE_KINDS
        ]

    async def list_banned(self, **query: Any) -> Response:
        page, limit = paging.params(query)
        exact = {k: query[k] for k in _EXACT if query.get(k) is not None}
        fuzzy = {k: query[k] for k in _LIKE if query.get(k) is not None}
        if len(exact) + len(fuzzy) > 1:
            return errors.bad_request("too_many_filters")
        entries = self._ordered()
        if exact:
            ((kind, raw),) = exact.items()
            who = normalized(kind, str(raw))
            if who is None:
                return errors.bad_request('"bad peerhost"')
            found = [b for b in entries if b.kind == kind and b.who == who]
            shown = paging.meta(page, limit, False, len(found))
            return errors.ok({"data": [format_ban(b) for b in found], "meta": shown})
        if fuzzy:
            ((name, pattern),) = fuzzy.items()
            try:
                regex = re.compile(str(pattern))
            except re.error as exc:
                problem = {
                    "message": "The filter is not a validation regex expression",
                    "reason": str(exc.msg),
                    "position": exc.pos or 0,
                    "filter": str(pattern),
                }
                return errors.bad_request(json.dumps(problem, separators=(",", ":")))
            kinds = _LIKE[name]
            hits = (b for b in entries if b.kind in kinds and regex.search(b.who) is not None)
            rows, hasnext = paging.page_of(hits, page, limit)
            return errors.ok(
                {"data": [format_ban(b) for b in rows], "meta": paging.meta(page, limit, hasnext)}
            )
        rows, _ = paging.page_of(entries, page, limit)
        shown = {"page": page, "limit": limit, "count": len(entries)}
        return errors.ok({"data": [format_ban(b) for b in rows], "meta": shown})

    async def create_banned(self, body: dict[str, Any]) -> Response:
        kind = str(body["as"])
        who = normalized(kind, str(body["who"]))
        if who is None:
            reason = "bad peerhost" if kind == "peerhost" else "invalid"
            return errors.bad_request(f'"{reason}"')
        now_s = self.world.now // 1000
        at = epoch_s(body.get("at", now_s))
        raw_until = body.get("until", "infinity")
        until = None if raw_until == "infinity" else epoch_s(raw_until)
        if at is None or (raw_until != "infinity" and until is None):
            return errors.bad_request("bad_rfc3339_timestamp")
        if until is not None and until <= now_s:
            shown_until = until
            return errors.bad_request(f"Cannot create expired banned, {at} to {shown_until}")
        current = self.world.banned.get((kind, who))
        if current is not None and (current.until is None or current.until // 1000 > now_s):
            return errors.error(
                400, "ALREADY_EXISTS", json.dumps(format_ban(current), separators=(",", ":"))
            )
        entry = BannedEntry(
            kind,
            who,
            str(body.get("by", "mgmt_api")),
            str(body.get("reason", "")),
            at * 1000,
            until * 1000 if until is not None else None,
        )
        self.world.ban(entry)
        return errors.ok(format_ban(entry))

    async def clear_banned(self) -> Response:
        self.world.operations.clear_bans()
        return errors.no_content()

    async def delete_banned(self, who: str, **params: Any) -> Response:
        kind = str(params["as"])
        raw = path_value(who)
        stored = normalized(kind, raw)
        if stored is None or (kind, stored) not in self.world.banned:
            return errors.not_found(f"{kind}: {raw} not found")
        self.world.unban(kind, stored)
        return errors.no_content()
