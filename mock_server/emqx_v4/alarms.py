"""`/alarms…`: node alarms (active and cleared), deactivating one, purging the history.

Cluster lists are `[{node, alarms:[…]}]`, node lists bare arrays. Deactivating answers
`{"code":0}`, or `{"message":"not_found"}` (no code) when no such alarm is active.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import Alarm, Node, World

from . import errors, serialize

Pick = Callable[[Alarm], bool]
EVERY: Pick = lambda a: True  # noqa: E731
ACTIVE: Pick = lambda a: a.active  # noqa: E731
CLEARED: Pick = lambda a: not a.active  # noqa: E731


class AlarmsApi:
    def __init__(self, world: World) -> None:
        self.world = world

    def _items(self, node: Node, pick: Pick) -> list[dict[str, Any]]:
        return [serialize.alarm(a, self.world.now) for a in node.alarms if pick(a)]

    def _cluster(self, pick: Pick) -> Response:
        nodes = self.world.running_nodes()
        return errors.ok(data=[{"node": n.name, "alarms": self._items(n, pick)} for n in nodes])

    def _node(self, node: str, pick: Pick) -> Response:
        found = self.world.node(node)
        if found is None:
            return errors.route_not_found()
        return errors.ok(data=self._items(found, pick))

    async def list_alarms(self) -> Response:
        return self._cluster(EVERY)

    async def list_node_alarms(self, node: str) -> Response:
        return self._node(node, EVERY)

    async def list_activated_alarms(self) -> Response:
        return self._cluster(ACTIVE)

    async def list_node_activated_alarms(self, node: str) -> Response:
        return self._node(node, ACTIVE)

    async def list_deactivated_alarms(self) -> Response:
        return self._cluster(CLEARED)

    async def list_node_deactivated_alarms(self, node: str) -> Response:
        return self._node(node, CLEARED)

    async def deactivate_alarm(self, body: dict[str, Any]) -> Response:
        node, name = str(body["node"]), str(body["name"])
        if self.world.node(node) is None:
            return errors.message("nodedown")
        if not self.world.deactivate_alarm(node, name):
            return errors.message("not_found")
        return errors.ok()

    async def purge_deactivated_alarms(self) -> Response:
        for node in self.world.running_nodes():
            self.world.purge_alarm_history(node.name)
        return errors.ok()

    async def purge_node_deactivated_alarms(self, node: str) -> Response:
        if self.world.node(node) is None:
            return errors.route_not_found()
        self.world.purge_alarm_history(node)
        return errors.ok()
