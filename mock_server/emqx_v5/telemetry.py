"""`/telemetry/…`: emqx_telemetry_api.erl (5.8.1) over the world's telemetry switch — the
same switch 4.x's `/api/v4/telemetry/status` turns (`Diagnostics.telemetry_enabled`).

* `PUT /telemetry/status` to the state it is already in is 400 BAD_REQUEST "Telemetry status
  is already enabled/disabled" (status/2); otherwise 200 with the new state.
* `GET /telemetry/data` while disabled is 404 NOT_FOUND "Telemetry is not enabled"; enabled,
  the report `emqx_telemetry:get_telemetry/1` would send, from the answering node (the
  first running one): `up_time` is the VM's wall clock in milliseconds, `nodes_uuid` the
  other running nodes' ids folded by prepending, `num_clients` the live connections,
  `advanced_mqtt_features` counted from the world (retained, delayed, rewrite rules, auto
  subscriptions), `rule_engine`/`bridge` from the rules and actions.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import World

from ..emqx_v4.observability import telemetry_uuid
from . import errors
from .cluster import VERSION, stats

_OTP = "26"  # otp_version/0 of the 5.8.1 release: the major OTP release


class TelemetryApi:
    def __init__(self, world: World) -> None:
        self.world = world

    def _status(self) -> dict[str, bool]:
        return {"enable": self.world.diagnostics.telemetry_enabled}

    async def get_telemetry_status(self) -> Response:
        return errors.ok(self._status())

    async def update_telemetry_status(self, body: dict[str, Any]) -> Response:
        enable = bool(body.get("enable", True))  # the schema's default
        if enable == self.world.diagnostics.telemetry_enabled:
            state = "enabled" if enable else "disabled"
            return errors.bad_request(f"Telemetry status is already {state}")
        self.world.diagnostics.set_telemetry(enable)
        return errors.ok(self._status())

    async def get_telemetry_data(self) -> Response:
        if not self.world.diagnostics.telemetry_enabled:
            return errors.not_found("Telemetry is not enabled")
        return errors.ok(self._report())

    def _report(self) -> dict[str, Any]:
        world = self.world
        nodes = world.running_nodes()
        first = nodes[0]
        counters = world.cluster.metrics(first.name)
        rules = list(world.rule_engine.rules.values())
        settings = world.settings
        return {
            "emqx_version": VERSION,
            "license": {"edition": "opensource"},
            "os_name": "Ubuntu",
            "os_version": "22.04",
            "otp_version": _OTP,
            "up_time": max(0, world.now - first.started_at),
            "uuid": telemetry_uuid(f"{world.seed}-{first.name}"),
            "cluster_uuid": telemetry_uuid(f"{world.seed}-cluster"),
            "nodes_uuid": [telemetry_uuid(f"{world.seed}-{n.name}") for n in nodes[1:]][::-1],
            "active_plugins": [],
            "num_clients": stats(world, first.name).get("live_connections.count", 0),
            "num_cluster_sessions": world.sessions.client_count(),
            "messages_received": counters.get("messages.received", 0),
            "messages_sent": counters.get("messages.sent", 0),
            "build_info": {},
            "vm_specs": {"num_cpus": 2, "total_memory": first.memory_total},
            "mqtt_runtime_insights": {
                "messages_sent_rate": 0.0,
                "messages_received_rate": 0.0,
                "num_topics": len({s.topic for _, s in world.subscriptions()}),
            },
            "advanced_mqtt_features": {
                "topic_rewrite": len(settings.get("rewrite") or []),
                "delayed": len(world.delayed.messages),
                "retained": len(world.retained),
                "auto_subscribe": len((settings.get("auto_subscribe") or {}).get("topics", [])),
            },
            "authn_authz": {
                "authn": [_authn_id(a) for a in settings.get("authentication") or []],
                "authn_listener": {},
                "authz": [
                    s["type"]
                    for s in (settings.get("authorization") or {}).get("sources", [])
                    if s.get("enable", True)
                ],
            },
            "gateway": {},
            "rule_engine": {"num_rules": len(rules)},
            "bridge": {
                "num_data_bridges": sum(1 for _ in world.integration.items("action")),
                "data_bridge": {},
            },
            "exhook": {"num_servers": 0, "servers": []},
        }


def _authn_id(authenticator: dict[str, Any]) -> str:
    """emqx_authn_chains's id of an authenticator: `<mechanism>:<backend>`, or the mechanism."""
    mechanism, backend = authenticator.get("mechanism", ""), authenticator.get("backend")
    return f"{mechanism}:{backend}" if backend else str(mechanism)
