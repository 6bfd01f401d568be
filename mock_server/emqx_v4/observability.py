"""`emqx_telemetry` (status switch, the report it would send) and `emqx_prometheus` (the
metrics snapshot, JSON or Prometheus text; no credentials needed).

Read from `emqx_telemetry_api.erl`, `emqx_telemetry.erl` and `emqx_prometheus.erl` (4.4.19):

* `PUT /telemetry/status` takes a JSON boolean `enabled` and answers `{"code":0}`; without it
  `{"message":"missing_required_params"}`. The report (`get_telemetry/1`): `up_time` is the
  VM's wall clock in **milliseconds**, `nodes_uuid` the *other* running nodes' ids,
  `num_clients` the `connections.max` gauge, plugin and module lists in the reverse of the
  broker's order (folded by prepending); the uuid is `generate_uuid/0`'s upper-case hex.
* `GET /emqx_prometheus` answers `{"code":0,"data":{"stats":…,"metrics":…,"packets":…,
  "messages":…,"delivery":…,"client":…,"session":…}}` with the collectors' names
  (`emqx_connections_count`…); `?type=prometheus` is the text format with
  `content-type: text/plain`.
"""

from __future__ import annotations

import hashlib
from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import Node, World

from ..http import json_response, text_response
from . import errors, render
from .prometheus import CLUSTER, GROUPS


def hash_of(text: str) -> int:
    return int.from_bytes(hashlib.md5(text.encode()).digest(), "big")


def telemetry_uuid(seed: str) -> str:
    """`generate_uuid/0`'s shape, `~.16B` (upper case, no padding), from a stable seed."""
    bits = hash_of(seed)
    parts: tuple[int, ...] = (
        bits & 0xFFFFFFFF,
        (bits >> 32) & 0xFFFF,
        0x1000 | ((bits >> 48) & 0xFFF),
    )
    parts += (0x8000 | ((bits >> 60) & 0x3FFF), ((bits >> 74) & 0xFFFFFFFFFFFF) | 1 << 40)
    return "-".join(f"{p:X}" for p in parts)


def _vm(node: Node) -> dict[str, int | float]:
    """`emqx_vm_data/0`: cpu from the node's load, memory, run queue; process messages 0."""
    idle = max(0, 100 - round(node.load[0] * 10))
    return {
        "run_queue": 0,
        "process_total_messages": 0,
        "cpu_idle": idle,
        "cpu_use": 100 - idle,
        "total_memory": node.memory_total,
        "used_memory": node.memory_used,
    }


class ObservabilityApi:
    def __init__(self, world: World) -> None:
        self.world = world

    async def get_telemetry_status(self) -> Response:
        return errors.ok(data={"enabled": self.world.diagnostics.telemetry_enabled})

    async def set_telemetry_status(self, body: Any = None) -> Response:
        enabled = body.get("enabled") if isinstance(body, dict) else None
        if enabled is None:
            return json_response(render.message("missing_required_params"))
        self.world.diagnostics.set_telemetry(bool(enabled))
        return errors.ok()

    async def get_telemetry_data(self) -> Response:
        nodes = self.world.running_nodes()
        if not nodes:
            return errors.ok(data={})
        first = nodes[0]
        gauges = self.world.stats(first.name)[first.name]
        data = {
            "emqx_version": first.version,
            "license": {"edition": "community"},
            "os_name": "Ubuntu",
            "os_version": "20.04",
            "otp_version": first.otp_release.split("-")[0].split(".")[0],
            "up_time": self.world.now - first.started_at,
            "uuid": telemetry_uuid(f"{self.world.seed}-{first.name}"),
            "nodes_uuid": [telemetry_uuid(f"{self.world.seed}-{n.name}") for n in nodes[1:]][::-1],
            "active_plugins": [p.name for p in first.plugins.values() if p.active][::-1],
            "active_modules": [m.name for m in first.modules.values() if m.active][::-1],
            "num_clients": gauges.get("connections.max", 0),
            "messages_received": first.metrics.get("messages.received", 0),
            "messages_sent": first.metrics.get("messages.sent", 0),
        }
        return errors.ok(data=data)

    async def get_prometheus_stats(self, **params: Any) -> Response:
        nodes = self.world.running_nodes()
        if not nodes:
            return errors.ok(data={})
        node = nodes[0]
        sources: dict[str, dict[str, Any]] = {
            "stats": self.world.stats(node.name)[node.name],
            "metrics": _vm(node),
        }
        groups = {
            group: {name: sources.get(group, node.metrics).get(key, 0) for name, key, _ in cs}
            for group, cs in GROUPS
        }
        if params.get("type") == "prometheus":
            cluster = {
                "nodes_running": len(nodes),
                "nodes_stopped": len(self.world.nodes) - len(nodes),
            }
            lines = []
            for collectors, values in [
                *((cs, groups[g]) for g, cs in GROUPS),
                (CLUSTER, {n: cluster[k] for n, k, _ in CLUSTER}),
            ]:
                for name, _, kind in collectors:
                    lines += [f"# TYPE {name} {kind}", f"# HELP {name}", f"{name} {values[name]}"]
            return text_response("\n".join(lines) + "\n", 200)
        return errors.ok(data=groups)
