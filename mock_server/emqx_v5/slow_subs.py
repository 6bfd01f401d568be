"""`/slow_subscriptions…`: emqx_slow_subs_api.erl (5.8.1) over the world's slow-delivery
records (`Diagnostics.slow_subs`, also 4.x's `/api/v4/slow_subscriptions`).

The settings are the `slow_subs` root (emqx_slow_subs_schema.erl) with `enable` read from
and written to the 4.4 module `emqx_mod_slow_subs` on every running node — one switch for
both APIs, as the retainer's is. The list is every running node's top-k, merged, sorted by
`timespan` descending and cut at ?MAX_SIZE (1000); `page` and `limit` are declared by the
broker's schema and ignored by its handler, which has no `meta`.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import World

from . import errors

MAX_SIZE = 1000  # emqx_slow_subs.hrl ?MAX_SIZE
MODULE = "emqx_mod_slow_subs"
# emqx_slow_subs_schema.erl fields("slow_subs") defaults (enable is the module's activity).
DEFAULTS: dict[str, Any] = {
    "threshold": "500ms",
    "expire_interval": "300s",
    "top_k_num": 10,
    "stats_type": "whole",
}


class SlowSubsApi:
    def __init__(self, world: World) -> None:
        self.world = world

    def _enabled(self) -> bool:
        nodes = self.world.running_nodes()
        module = nodes[0].modules.get(MODULE) if nodes else None
        return bool(module and module.active)

    def _settings(self) -> dict[str, Any]:
        return {"enable": self._enabled(), **DEFAULTS, **self.world.settings.get("slow_subs")}

    async def get_slow_subs_settings(self) -> Response:
        return errors.ok(self._settings())

    async def update_slow_subs_settings(self, body: dict[str, Any]) -> Response:
        given = dict(body)
        enable = given.pop("enable", None)
        self.world.settings.replace("slow_subs", {**DEFAULTS, **given})
        if enable is not None:
            for node in self.world.cluster.running_names():
                self.world.set_module_active(node, MODULE, bool(enable))
        return errors.ok(self._settings())

    async def list_slow_subscriptions(self, **_query: Any) -> Response:
        running = set(self.world.cluster.running_names())
        rows = sorted(
            (s for s in self.world.diagnostics.slow_subs if s.node in running),
            key=lambda s: -s.timespan,
        )[:MAX_SIZE]
        data = [
            {
                "clientid": s.clientid,
                "node": s.node,
                "topic": s.topic,
                "timespan": s.timespan,
                "last_update_time": s.last_update_time,
            }
            for s in rows
        ]
        return errors.ok({"data": data})

    async def clear_slow_subscriptions(self) -> Response:
        self.world.diagnostics.clear_slow_subs()
        return errors.no_content()
