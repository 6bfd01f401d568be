"""The broker's answers to requests our document rejects, per route.

Connexion validates a request before any handler runs; where the broker answers a bad body
or value with a business error (HTTP 200), the dialect must answer the same. Each entry maps
a method and path to a function of the parsed JSON body and the query; `None` falls back to
`errors.bad_request`. Answers here never change the world: every broker check they mirror
fails before the broker would act.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from ..body import raw_body
from ..http import text_response
from . import banned, errors, pubsub_rules, sessions

Rejecter = Callable[[Any, dict[str, str]], Response | None]


def _pubsub(check: Callable[[dict[str, Any]], object]) -> Rejecter:
    def answer(body: Any, query: dict[str, str]) -> Response | None:
        try:
            check(body if isinstance(body, dict) else {})
        except pubsub_rules.Refusal as refusal:
            return errors.error(refusal.code, refusal.message)
        return None

    return answer


def _banned(body: Any, query: dict[str, str]) -> Response | None:
    return banned.refusal(body if isinstance(body, dict) else {})


def _keepalive(body: Any, query: dict[str, str]) -> Response | None:
    from_body = body.get("interval") if isinstance(body, dict) else None
    return sessions.keepalive_refusal(query.get("interval", from_body))


def _limits(keys: tuple[str, ...]) -> Rejecter:
    """A rate-limit/quota request without any of its keys is `{"code":0}`, whatever else the
    body holds (an absent body included); a malformed value falls through to 108."""

    def answer(body: Any, query: dict[str, str]) -> Response | None:
        present = isinstance(body, dict) and any(k in body for k in keys)
        return None if present or any(k in query for k in keys) else errors.ok()

    return answer


def _subscriptions(body: Any, query: dict[str, str]) -> Response | None:
    qos = query.get("qos")
    if qos is not None and not re.fullmatch(r"-?[0-9]+", qos):
        # 4.4.19 throws on a non-integer qos: 400 with the printed term (500 before 4.4.19,
        # and on the `topic` path); the term's exact text was not recorded
        return text_response("badarg", 400)
    return None


ROUTES: list[tuple[str, re.Pattern[str], Rejecter]] = [
    ("POST", re.compile(r"/mqtt/subscribe$"), _pubsub(pubsub_rules.subscribe)),
    ("POST", re.compile(r"/mqtt/unsubscribe$"), _pubsub(pubsub_rules.unsubscribe)),
    ("POST", re.compile(r"/mqtt/publish$"), _pubsub(pubsub_rules.publish)),
    ("POST", re.compile(r"/banned$"), _banned),
    (
        "DELETE",
        re.compile(r"/banned/[^/]+/[^/]+$"),
        lambda b, q: errors.error(108, banned.BAD_KIND),
    ),
    ("PUT", re.compile(r"/clients/[^/]+/keepalive$"), _keepalive),
    ("POST", re.compile(r"/clients/[^/]+/ratelimit$"), _limits(sessions.RATELIMIT_KEYS)),
    ("POST", re.compile(r"/clients/[^/]+/quota$"), _limits(sessions.QUOTA_KEYS)),
    ("GET", re.compile(r"(/nodes/[^/]+)?/subscriptions$"), _subscriptions),
]


def answer(request: Request) -> Response | None:
    """The broker's answer to this rejected request, if a route above knows it."""
    path = request.url.path
    for method, pattern, rejecter in ROUTES:
        if request.method == method and pattern.search(path):
            try:
                body = orjson.loads(raw_body(request) or b"null")
            except orjson.JSONDecodeError:
                return text_response("Bad Request", 400)  # the framework's answer to non-JSON
            return rejecter(body, dict(request.query_params))
    return None
