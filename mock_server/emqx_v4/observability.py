"""`emqx_telemetry` (status switch, the report it would send) and `emqx_prometheus` (the
metrics snapshot, JSON or Prometheus text; no credentials needed).

Derived from the world: telemetry data counts the clients and the active plugins and
modules; the Prometheus snapshot is the answering node's metrics and stats.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import World

from ..http import json_response, text_response
from . import errors, render


class ObservabilityApi:
    def __init__(self, world: World) -> None:
        self.world = world

    def _uuid(self, salt: str) -> str:
        return str(uuid.UUID(int=hash_of(f"{self.world.seed}-{salt}")))

    async def get_telemetry_status(self) -> Response:
        return errors.ok(data={"enabled": self.world.diagnostics.telemetry_enabled})

    async def set_telemetry_status(self, body: Any = None) -> Response:
        enabled = body.get("enabled") if isinstance(body, dict) else None
        if not isinstance(enabled, bool):
            return json_response(render.message("missing_required_params"))
        self.world.diagnostics.set_telemetry(enabled)
        return errors.ok(data={"enabled": enabled})

    async def get_telemetry_data(self) -> Response:
        nodes = self.world.running_nodes()
        first = nodes[0] if nodes else None
        plugins = sorted(p.name for p in first.plugins.values() if p.active) if first else []
        modules = sorted(m.name for m in first.modules.values() if m.active) if first else []
        metrics = first.metrics if first else {}
        data = {
            "emqx_version": first.version if first else "",
            "license": {"edition": "community"},
            "os_name": "Ubuntu",
            "os_version": "20.04",
            "otp_version": (first.otp_release.split("-")[0] if first else ""),
            "up_time": (self.world.now - first.started_at) // 1000 if first else 0,
            "uuid": self._uuid("cluster"),
            "nodes_uuid": [self._uuid(n.name) for n in nodes],
            "active_plugins": plugins,
            "active_modules": modules,
            "num_clients": self.world.client_count(),
            "messages_received": metrics.get("messages.received", 0),
            "messages_sent": metrics.get("messages.sent", 0),
        }
        return errors.ok(data=data)

    async def get_prometheus_stats(self, **params: Any) -> Response:
        nodes = self.world.running_nodes()
        if not nodes:
            return json_response({})
        node = nodes[0]
        stats = self.world.stats(node.name)[node.name]
        if params.get("type") == "prometheus":
            lines = []
            for name, value in sorted({**stats, **node.metrics}.items()):
                metric = "emqx_" + name.replace(".", "_")
                kind = "gauge" if name in stats else "counter"
                lines += [f"# TYPE {metric} {kind}", f"{metric} {value}"]
            return text_response("\n".join(lines) + "\n", 200)
        return json_response({"stats": stats, "metrics": node.metrics})


def hash_of(text: str) -> int:
    return int.from_bytes(hashlib.md5(text.encode()).digest(), "big")
