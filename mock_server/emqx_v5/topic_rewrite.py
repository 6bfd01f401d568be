"""`/mqtt/topic_rewrite`: emqx_rewrite_api.erl (5.8.1) over the `rewrite` configuration root
(`World.settings`, a list of rules `{action, source_topic, dest_topic, re}`).

`PUT` replaces the list: `length(Body) < ?MAX_RULES_LIMIT` (20), so twenty rules are already
413 EXCEED_LIMIT; a `dest_topic` that is not a valid topic name (a wildcard) in a `publish` or
`all` rule fails `rewrite_validator/1` — 400 BAD_REQUEST naming the invalid topics as `~p`
prints them (folded by prepending: last first); a `re` PCRE does not compile fails the
schema's `is_re/1` (400 BAD_REQUEST).
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.fixtures.diagnostics import topic_name_error

from . import errors

MAX_RULES_LIMIT = 20  # emqx_rewrite_api.erl


def rules(world: World) -> list[dict[str, Any]]:
    return list(world.settings.get("rewrite") or [])


def _erlang_binaries(items: list[str]) -> str:
    return "[" + ",".join('<<"' + t.replace('"', '\\"') + '">>' for t in items) + "]"


class TopicRewriteApi:
    def __init__(self, world: World) -> None:
        self.world = world

    async def list_topic_rewrite(self) -> Response:
        return errors.ok(rules(self.world))

    async def update_topic_rewrite(self, body: list[dict[str, Any]]) -> Response:
        if len(body) >= MAX_RULES_LIMIT:
            return errors.error(
                413, "EXCEED_LIMIT", f"Max rewrite rules count is {MAX_RULES_LIMIT}"
            )
        for rule in body:
            try:
                re.compile(str(rule["re"]))
            except re.error as exc:
                reason = {"regexp": rule["re"], "compile_error": str(exc)}
                return errors.bad_request(
                    json.dumps({"kind": "validation_error", "reason": reason})
                )
        invalid: list[str] = []
        for rule in body:
            if rule["action"] != "subscribe" and topic_name_error(str(rule["dest_topic"])):
                invalid.insert(0, str(rule["dest_topic"]))
        if invalid:
            return errors.bad_request(
                "Cannot use wildcard for destination topic. Invalid topics: "
                + _erlang_binaries(invalid)
            )
        stored = [
            {k: rule[k] for k in ("action", "source_topic", "dest_topic", "re")} for rule in body
        ]
        self.world.settings.replace("rewrite", stored)
        return errors.ok(rules(self.world))
