"""`/brokers…` and `/nodes[/{node}]`: what each running node says about itself."""

from __future__ import annotations

from starlette.responses import Response

from mqtt_api_kit.fixtures import Node, World

from . import errors, serialize


class ClusterApi:
    def __init__(self, world: World) -> None:
        self.world = world

    def _node_info(self, node: Node) -> dict[str, object]:
        # the node's gauges, kept on writes: a node of a million sessions is not walked
        connected = self.world.sessions.gauges(node.name).get("connections.count", 0)
        sessions = self.world.client_count(node.name)
        return serialize.node_info(node, self.world.now, sessions, connected)

    async def list_brokers(self) -> Response:
        now = self.world.now
        return errors.ok(data=[serialize.broker(n, now) for n in self.world.running_nodes()])

    async def get_broker(self, node: str) -> Response:
        found = self.world.node(node)
        if found is None:
            return errors.route_not_found()
        return errors.ok(data=serialize.broker(found, self.world.now))

    async def list_nodes(self) -> Response:
        return errors.ok(data=[self._node_info(n) for n in self.world.running_nodes()])

    async def get_node(self, node: str) -> Response:
        found = self.world.node(node)
        if found is None:
            return errors.route_not_found()
        return errors.ok(data=self._node_info(found))
