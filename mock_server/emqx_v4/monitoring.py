"""`/metrics`, `/stats` (cluster: `[{node, metrics|stats}]`) and their node forms (bare objects).

Metrics are the nodes' cumulative counters, moved by every write; stats are gauges derived
from the world's records with their high-water marks. A failing node call would answer
`{"message":…}` without a code; every node of the world answers.
"""

from __future__ import annotations

from starlette.responses import Response

from mqtt_api_kit.fixtures import World

from . import errors


class MonitoringApi:
    def __init__(self, world: World) -> None:
        self.world = world

    async def list_metrics(self) -> Response:
        data = [{"node": n.name, "metrics": dict(n.metrics)} for n in self.world.running_nodes()]
        return errors.ok(data=data)

    async def get_node_metrics(self, node: str) -> Response:
        found = self.world.node(node)
        if found is None:
            return errors.route_not_found()
        return errors.ok(data=dict(found.metrics))

    async def list_stats(self) -> Response:
        stats = self.world.stats()
        return errors.ok(data=[{"node": name, "stats": s} for name, s in stats.items()])

    async def get_node_stats(self, node: str) -> Response:
        if self.world.node(node) is None:
            return errors.route_not_found()
        return errors.ok(data=self.world.stats(node)[node])
