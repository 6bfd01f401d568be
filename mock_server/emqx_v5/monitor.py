"""`/monitor…` and `/monitor_current…`: the dashboard's samplers (emqx_dashboard_monitor.erl).

EMQX samples every node every 10 s and keeps 7 days; a query for the latest N seconds is
downsampled to one point per 1 s / 10 s / 1 min / 5 min / 10 min as the span passes 1 min,
1 h, 1 day, 3 days (`sample_interval/1`). Gauges (connections, subscriptions, topics) are read
at each point; counters (received, sent, dropped…) are what moved during the interval. The
mock derives the past from the world as it is now — gauges wander around today's values,
counters follow each node's average rate — from a generator seeded by the world's seed, the
node and the instant, so every answer is reproducible and the newest point is the present.
"""

from __future__ import annotations

import random
from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import World

from . import errors
from .cluster import stats, with_node

_SECOND, _MINUTE, _HOUR, _DAY = 1_000, 60_000, 3_600_000, 86_400_000
RETENTION = 7 * _DAY
GAUGES = (
    "disconnected_durable_sessions",
    "subscriptions_durable",
    "subscriptions",
    "topics",
    "connections",
    "live_connections",
)
DELTAS = {  # sampler → (world counter, rate name)
    "received": ("messages.received", "received_msg_rate"),
    "sent": ("messages.sent", "sent_msg_rate"),
    "validation_succeeded": ("", "validation_succeeded_rate"),
    "validation_failed": ("", "validation_failed_rate"),
    "transformation_succeeded": ("", "transformation_succeeded_rate"),
    "transformation_failed": ("", "transformation_failed_rate"),
    "dropped": ("messages.dropped", "dropped_msg_rate"),
    "persisted": ("", "persisted_rate"),
}
_CLUSTER_SYNCED = ("disconnected_durable_sessions", "subscriptions_durable", "topics")


def interval(age: int) -> int:
    """sample_interval/1."""
    if age <= 60 * _SECOND:
        return _SECOND
    if age <= _HOUR:
        return 10 * _SECOND
    if age <= _DAY:
        return _MINUTE
    if age <= 3 * _DAY:
        return 5 * _MINUTE
    return 10 * _MINUTE


class MonitorApi:
    def __init__(self, world: World) -> None:
        self.world = world

    def _now_gauges(self, node: str) -> dict[str, int]:
        s = stats(self.world, node)
        return {
            "disconnected_durable_sessions": 0,
            "subscriptions_durable": 0,
            "subscriptions": s["subscriptions.count"],
            "topics": s["topics.count"],
            "connections": s["connections.count"],
            "live_connections": s["live_connections.count"],
        }

    def _rates(self, node: str) -> dict[str, float]:
        """Each counter's average per millisecond since the node started."""
        owner = self.world.node(node)
        metrics = self.world.cluster.metrics(node)
        uptime = max(1, self.world.now - owner.started_at) if owner else 1
        return {k: metrics.get(src, 0) / uptime for k, (src, _) in DELTAS.items() if src}

    def _point(
        self, node: str, at: int, step: int, now: tuple[dict[str, int], dict[str, float]]
    ) -> dict[str, Any]:
        """One sample of `node` at `at`; `now` is its present gauges and average rates."""
        rng = random.Random(f"monitor-{self.world.seed}-{node}-{at}-{step}")
        present = at >= self.world.now
        gauges, rates = now
        row: dict[str, Any] = {}
        for key, value in gauges.items():
            row[key] = value if present or not value else round(value * rng.uniform(0.8, 1))
        for key in DELTAS:
            rate = rates.get(key, 0.0)
            row[key] = int(rate * step * rng.uniform(0.6, 1.4)) if rate else 0
        return row

    def _series(self, node: str | None, latest: int | None) -> list[dict[str, Any]]:
        now = self.world.now
        since = now - latest * 1000 if latest is not None else 0
        oldest = now - RETENTION
        step = interval(now - since)
        start = max(since, oldest)
        start -= start % step
        nodes = [node] if node is not None else self.world.cluster.running_names()
        present = {n: (self._now_gauges(n), self._rates(n)) for n in nodes}
        rows = []
        for at in range(start, now - now % step + 1, step):
            merged: dict[str, Any] = {}
            for name in nodes:
                for key, value in self._point(name, at, step, present[name]).items():
                    synced = node is None and key in _CLUSTER_SYNCED
                    merged[key] = value if synced else merged.get(key, 0) + value
            if node is None:  # adjust_synthetic_cluster_metrics/1
                merged["subscriptions_ram"] = merged["subscriptions"]
            rows.append({**merged, "time_stamp": at})
        return rows

    def _current(self, node: str | None) -> dict[str, Any]:
        nodes = [node] if node is not None else self.world.cluster.running_names()
        result: dict[str, Any] = {}
        for name in nodes:
            present = (self._now_gauges(name), self._rates(name))
            point = self._point(name, self.world.now, 10 * _SECOND, present)
            row: dict[str, Any] = {k: point[k] for k in GAUGES}
            for key, (_, rate_name) in DELTAS.items():
                row[rate_name] = point[key] // 10  # per second over the last 10 s sample
            for key, value in row.items():
                synced = node is None and key in _CLUSTER_SYNCED
                result[key] = value if synced else result.get(key, 0) + value
        first = stats(self.world, nodes[0]) if nodes else {}
        result["retained_msg_count"] = first.get("retained.count", 0)
        result["shared_subscriptions"] = first.get("subscriptions.shared.count", 0)
        if node is not None:
            owner = self.world.node(node)
            result["node_uptime"] = (self.world.now - owner.started_at) if owner else 0
            for key in ("subscriptions_durable", "disconnected_durable_sessions"):
                result.pop(key, None)  # maybe_reject_cluster_only_metrics/2
        else:
            result["subscriptions_ram"] = result["subscriptions"]
        return result

    async def get_monitor(self, latest: int | None = None) -> Response:
        return errors.ok(self._series(None, latest))

    async def get_node_monitor(self, node: str, latest: int | None = None) -> Response:
        found = with_node(self.world, node)
        if isinstance(found, Response):
            return found
        return errors.ok(self._series(found.name, latest))

    async def get_monitor_current(self) -> Response:
        return errors.ok(self._current(None))

    async def get_node_monitor_current(self, node: str) -> Response:
        found = with_node(self.world, node)
        if isinstance(found, Response):
            return found
        return errors.ok(self._current(found.name))
