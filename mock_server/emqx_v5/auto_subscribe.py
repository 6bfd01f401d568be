"""`/mqtt/auto_subscribe`: emqx_auto_subscribe_api.erl (5.8.1) over the `auto_subscribe`
configuration root (`World.settings`).

`PUT` takes the whole list (at most ?MAX_AUTO_SUBSCRIBE, 20: more is 409 EXCEED_LIMIT, the
broker's message with its two spaces) and answers it as stored, `rawconf_with_defaults`:
each topic with `qos`, `rh`, `rap` and `nl` filled in (0). The mock's MQTT listeners
subscribe every client that connects to them accordingly (fixtures/auto_subscribe.py); the
generated clients, already connected, are not touched — as on a broker, where the hook runs
only at `client.connected`.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import World

from . import errors

MAX_AUTO_SUBSCRIBE = 20  # emqx_auto_subscribe.erl
_DEFAULTS = {"qos": 0, "rh": 0, "rap": 0, "nl": 0}  # emqx_auto_subscribe_schema fields("topic")


def topics(world: World) -> list[dict[str, Any]]:
    return list((world.settings.get("auto_subscribe") or {}).get("topics", []))


class AutoSubscribeApi:
    def __init__(self, world: World) -> None:
        self.world = world

    async def get_auto_subscribe(self) -> Response:
        return errors.ok(topics(self.world))

    async def update_auto_subscribe(self, body: list[dict[str, Any]]) -> Response:
        if len(body) > MAX_AUTO_SUBSCRIBE:
            return errors.error(
                409, "EXCEED_LIMIT", f"Max auto subscribe topic count is  {MAX_AUTO_SUBSCRIBE}"
            )
        known = ("topic", *_DEFAULTS)
        stored = [{**_DEFAULTS, **{k: v for k, v in item.items() if k in known}} for item in body]
        self.world.settings.replace("auto_subscribe", {"topics": stored})
        return errors.ok(stored)
