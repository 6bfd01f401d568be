"""`/mqtt/retainer…`: emqx_retainer_api.erl (5.8.1) over the world's retained messages.

The configuration is the `retainer` root (`World.settings`) with `enable` read from and
written to the retainer's activity on every node — one switch, as 4.x's `emqx_retainer`
plugin is. Messages are listed in topic order; `topic` may be a filter (`page_read/3`).
"""

from __future__ import annotations

import base64
import zlib
from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import RetainedMessage, World
from mqtt_api_kit.fixtures.settings import DEFAULTS
from mqtt_api_kit.fixtures.topics import matches

from ..paths import path_value
from . import errors, paging, render

MAX_PAYLOAD_SIZE = 1024 * 1024  # emqx_retainer.hrl ?MAX_PAYLOAD_SIZE
_GONE = ("NOT_FOUND", "Viewed message doesn't exist")


def summary(m: RetainedMessage) -> dict[str, Any]:
    """format_message/1; the world keeps no id for a retained message, so one is made from its
    time, node and topic, stable for the message's life."""
    return {
        "from_clientid": m.publisher or "http_api",
        "from_username": "",
        "msgid": render.guid(m.published_at, m.node, zlib.crc32(m.topic.encode())),
        "publish_at": render.rfc3339_ms(m.published_at),
        "qos": m.qos,
        "topic": m.topic,
    }


def _merged(defaults: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    tree = dict(defaults)
    for key, value in given.items():
        if isinstance(value, dict) and isinstance(tree.get(key), dict):
            tree[key] = _merged(tree[key], value)
        else:
            tree[key] = value
    return tree


class RetainerApi:
    def __init__(self, world: World) -> None:
        self.world = world

    def _config(self) -> dict[str, Any]:
        return {
            "enable": self.world.plugin_active("emqx_retainer"),
            **self.world.settings.get("retainer"),
        }

    def _matching(self, topic: str | None) -> list[RetainedMessage]:
        rows = sorted(self.world.retained.values(), key=lambda m: m.topic)
        return [m for m in rows if topic is None or matches(topic, m.topic)]

    async def get_retainer(self) -> Response:
        return errors.ok(self._config())

    async def update_retainer(self, body: dict[str, Any]) -> Response:
        given = dict(body)
        enable = bool(given.pop("enable", True))
        self.world.settings.replace("retainer", _merged(dict(DEFAULTS["retainer"]), given))
        for node in self.world.cluster.running_names():
            self.world.set_plugin_active(node, "emqx_retainer", enable)
        return errors.ok(self._config())

    async def list_retained_messages(self, **query: Any) -> Response:
        page, limit = paging.params(query)
        topic = query.get("topic")
        found = self._matching(str(topic) if topic is not None else None)
        rows, hasnext = paging.page_of(found, page, limit)
        count = len(self.world.retained) if topic is None else None
        return errors.ok(
            {"data": [summary(m) for m in rows], "meta": paging.meta(page, limit, hasnext, count)}
        )

    async def clear_retained_messages(self) -> Response:
        self.world.messaging.clear_retained()
        return errors.no_content()

    async def get_retained_message(self, topic: str) -> Response:
        found = self._matching(path_value(topic))
        if not found:
            return errors.error(404, *_GONE)
        message = found[0]
        row = summary(message)
        if len(message.payload) <= MAX_PAYLOAD_SIZE:
            row["payload"] = base64.b64encode(message.payload).decode()
        return errors.ok(row)

    async def delete_retained_message(self, topic: str) -> Response:
        found = self._matching(path_value(topic))
        if not found:
            return errors.error(404, *_GONE)
        # A filter deletes what it matches (emqx_retainer:delete/1).
        self.world.messaging.clear_retained(path_value(topic))
        return errors.no_content()
