"""`/management/nodes`, `/monitoring/*` and alarms: node facts in EMQ 2.3 shapes.

Cluster-wide listeners, metrics and stats are a one-element array holding an object keyed
by node name (`{ok, [Data]}` in emqttd_rest_api 2.3.11); per-node variants the inner value.
"""

from __future__ import annotations

from starlette.responses import Response

from mqtt_api_kit.fixtures import World

from . import errors, serialize
from .clients import running


class MonitoringApi:
    def __init__(self, world: World) -> None:
        self.world = world

    async def list_brokers(self) -> Response:
        now = self.world.now
        return errors.ok([serialize.broker(n, now, True) for n in self.world.running_nodes()])

    async def get_broker(self, node: str) -> Response:
        owner = running(self.world, node)
        if owner is None:
            return errors.crashed()
        return errors.ok(serialize.broker(owner, self.world.now, False))

    async def list_nodes(self) -> Response:
        rows = [serialize.node_info(self.world, n) for n in self.world.running_nodes()]
        rows += [serialize.stopped_node(n) for n in self.world.nodes if not n.running]
        return errors.ok(rows)

    async def get_node(self, node: str) -> Response:
        owner = running(self.world, node)
        if owner is None:
            return errors.crashed()
        return errors.ok(serialize.node_info(self.world, owner))

    async def list_listeners(self) -> Response:
        by_node = {
            n.name: [
                serialize.listener(self.world, n.name, lst)
                for lst in reversed(n.listeners)
                if lst.enabled
            ]
            for n in self.world.running_nodes()
        }
        return errors.ok([by_node])

    async def list_node_listeners(self, node: str) -> Response:
        owner = running(self.world, node)
        if owner is None:
            return errors.crashed()
        return errors.ok(
            [serialize.listener(self.world, node, lst) for lst in owner.listeners if lst.enabled]
        )

    async def list_metrics(self) -> Response:
        nodes = self.world.running_nodes()
        return errors.ok([{n.name: serialize.metrics_of(self.world, n) for n in nodes}])

    async def list_metrics_slash(self) -> Response:
        return await self.list_metrics()

    async def get_node_metrics(self, node: str) -> Response:
        owner = running(self.world, node)
        if owner is None:
            return errors.crashed()
        return errors.ok(serialize.metrics_of(self.world, owner))

    async def list_stats(self) -> Response:
        gauges = self.world.stats()
        return errors.ok([{name: serialize.stats(g) for name, g in gauges.items()}])

    async def get_node_stats(self, node: str) -> Response:
        if running(self.world, node) is None:
            return errors.crashed()
        return errors.ok(serialize.stats(self.world.stats(node)[node]))

    async def list_alarms(self, node: str) -> Response:
        # The node segment is ignored: the answering node reports its own alarms.
        answering = self.world.running_nodes()[0]
        alarms = [a for a in answering.alarms if a.active]
        return errors.ok([serialize.alarm(a) for a in alarms])
