"""`/mqtt/delayed…`: emqx_delayed_api.erl (5.8.1) over the world's delayed publish
(`World.delayed`; `Messaging` stores `$delayed/N/T` publishes and releases them when due).

`enable` is the 4.4 module `emqx_mod_delayed` on every running node — one switch for both
APIs; turning it off empties the store (`do_load_or_unload(false)`). A fresh world has it
off, as 4.4's `loaded_modules` does (EMQX 5's own default is on). The handlers' answers,
read from the code:

* the list is emqx_mgmt_api:cluster_query/6 over the nodes in cluster order, each node's
  messages by due time; `delayed_remaining` is whole seconds until due (never below 0 here:
  the world releases due messages when its time moves).
* `GET /messages/{node}/{msgid}`: a node name that is not a known atom or not a running node
  is 400 INVALID_NODE; an id that is not hex 400 MESSAGE_ID_SCHEMA_ERROR (emqx_guid:
  from_hexstr/1); unknown 404 MESSAGE_ID_NOT_FOUND. The payload is base64, or the text
  `PAYLOAD_TOO_LARGE` above 2048 bytes.
* `DELETE /messages/{node}/{msgid}`: the same, but the node name is made an atom
  (`binary_to_atom/1`), so a node that is not running reaches the RPC, whose `badrpc` no
  clause matches: 500.
* `DELETE /messages/{topic}`: a wildcard is 400 INVALID_TOPIC_NAME; no message for the topic
  404 MESSAGE_NOT_FOUND.
"""

from __future__ import annotations

import base64
import re
from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.fixtures.delayed import DelayedMessage

from ..paths import path_value
from . import errors, paging, render
from .topic_metrics import wildcard

MODULE = "emqx_mod_delayed"
MAX_PAYLOAD_LENGTH = 2048  # emqx_delayed_api.erl
_HEX = re.compile(r"^[+-]?[0-9A-Fa-f]+$")  # binary_to_integer(_, 16)


def summary(m: DelayedMessage, now: int) -> dict[str, Any]:
    """emqx_delayed:format_delayed/3 without the payload."""
    return {
        "msgid": m.msgid,
        "node": m.node,
        "publish_at": render.rfc3339_ms(m.published_at),
        "delayed_interval": m.interval,
        "delayed_remaining": max(0, (m.due_at - now) // 1000),
        "expected_at": render.rfc3339_ms(m.due_at),
        "topic": m.topic,
        "qos": m.qos,
        "from_clientid": m.sender or "http_api",
        "from_username": m.username,
    }


def _guid(hex_id: str) -> str | None:
    """emqx_guid:from_hexstr/1 then to_hexstr/1: the 128-bit id the world keys by."""
    if not _HEX.match(hex_id):
        return None
    return f"{int(hex_id, 16) % (1 << 128):032X}"


class DelayedApi:
    def __init__(self, world: World) -> None:
        self.world = world

    def _enabled(self) -> bool:
        nodes = self.world.running_nodes()
        module = nodes[0].modules.get(MODULE) if nodes else None
        return bool(module and module.active)

    def _status(self) -> dict[str, Any]:
        return {"enable": self._enabled(), "max_delayed_messages": self.world.delayed.max_messages}

    async def get_delayed(self) -> Response:
        return errors.ok(self._status())

    async def update_delayed(self, body: dict[str, Any]) -> Response:
        maximum = body.get("max_delayed_messages")
        if isinstance(maximum, int) and maximum < 0:
            return errors.bad_request("Max delayed must be equal or greater than 0")
        if maximum is not None:
            self.world.delayed.configure(int(maximum))
        if "enable" in body:
            enable = bool(body["enable"])
            for node in self.world.cluster.running_names():
                self.world.set_module_active(node, MODULE, enable)
            if not enable:
                self.world.delayed.clear()
        return errors.ok(self._status())

    async def list_delayed_messages(self, **query: Any) -> Response:
        page, limit = paging.params(query)
        order = {name: i for i, name in enumerate(self.world.cluster.running_names())}
        held = [m for m in self.world.delayed.messages if m.node in order]
        held.sort(key=lambda m: order[m.node])  # stable: each node's by due time
        rows, hasnext = paging.page_of(held, page, limit)
        now = self.world.now
        return errors.ok(
            {
                "data": [summary(m, now) for m in rows],
                "meta": paging.meta(page, limit, hasnext, len(held)),
            }
        )

    def _find(self, node: str, msgid: str, strict: bool) -> DelayedMessage | Response:
        known = {n.name for n in self.world.nodes}
        running = set(self.world.cluster.running_names())
        if strict and node not in running:
            return errors.error(400, "INVALID_NODE", f"The node name {node} is invalid")
        key = _guid(msgid)
        if key is None:
            return errors.error(400, "MESSAGE_ID_SCHEMA_ERROR", f"Message ID {msgid} schema error")
        if not strict and node not in running:
            reason = "nodedown" if node in known else "noconnection"
            return errors.internal_error(f"{{case_clause,{{badrpc,{reason}}}}}")
        found = self.world.delayed.by_id.get(key)
        if found is None or found.node != node:
            return errors.error(404, "MESSAGE_ID_NOT_FOUND", f"Message ID {msgid} not found")
        return found

    async def get_delayed_message(self, node: str, msgid: str) -> Response:
        found = self._find(path_value(node), path_value(msgid), strict=True)
        if isinstance(found, Response):
            return found
        row = summary(found, self.world.now)
        too_large = len(found.payload) > MAX_PAYLOAD_LENGTH
        row["payload"] = (
            "PAYLOAD_TOO_LARGE" if too_large else base64.b64encode(found.payload).decode()
        )
        return errors.ok(row)

    async def delete_delayed_message(self, node: str, msgid: str) -> Response:
        found = self._find(path_value(node), path_value(msgid), strict=False)
        if isinstance(found, Response):
            return found
        self.world.delayed.delete(found.msgid)
        return errors.no_content()

    async def delete_delayed_messages_by_topic(self, topic: str) -> Response:
        name = path_value(topic)
        if wildcard(name):
            return errors.error(400, "INVALID_TOPIC_NAME", f"The topic name {name} is invalid")
        if not self.world.delayed.delete_topic(name):
            return errors.error(404, "MESSAGE_NOT_FOUND", f"Not found messages for {name}")
        return errors.no_content()
