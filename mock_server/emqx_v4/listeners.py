"""`/listeners…`: listeners per node, and restarting one.

A restart closes the listener's connections: clients connected through it on that node are
disconnected with MQTT session semantics (persistent sessions stay offline). The cluster-wide
restart refuses HTTP listeners with 403 and a bare JSON string, as 4.4 does. A listener
stopped through EMQX 5's API (`enabled` false) is not running, so 4.4 neither lists nor
restarts it (esockd:listeners/0 holds running listeners only).
"""

from __future__ import annotations

from starlette.responses import Response

from mqtt_api_kit.fixtures import Listener, Node, World

from ..http import json_response
from . import errors, serialize


class ListenersApi:
    def __init__(self, world: World) -> None:
        self.world = world

    def _render(self, node: Node) -> list[dict[str, object]]:
        return [
            serialize.listener(item, self.world.current_conns(node.name, item.name))
            for item in node.listeners
            if item.enabled  # emqx_mgmt:list_listeners/0: the running esockd/ranch listeners
        ]

    def _restart(self, node: Node, identifier: str) -> bool:
        item = next(
            (
                i
                for i in node.listeners
                if i.enabled and serialize.listener_identifier(i) == identifier
            ),
            None,
        )
        if item is None:
            return False
        self._drop(node, item)
        return True

    def _drop(self, node: Node, item: Listener) -> None:
        for client in list(self.world.clients(node.name)):
            if client.connected and client.listener == item.name:
                self.world.disconnect(client.clientid)

    async def list_listeners(self) -> Response:
        nodes = self.world.running_nodes()
        return errors.ok(data=[{"node": n.name, "listeners": self._render(n)} for n in nodes])

    async def list_node_listeners(self, node: str) -> Response:
        found = self.world.node(node)
        if found is None:
            return errors.route_not_found()
        return errors.ok(data=self._render(found))

    async def restart_listener(self, identifier: str) -> Response:
        if identifier.startswith("http"):
            return json_response("http_listener_restart_unsupported", 403)
        restarted = [self._restart(n, identifier) for n in self.world.running_nodes()]
        return errors.ok() if all(restarted) else errors.message("not_found")

    async def restart_node_listener(self, node: str, identifier: str) -> Response:
        found = self.world.node(node)
        if found is None:
            return errors.route_not_found()
        return errors.ok() if self._restart(found, identifier) else errors.message("not_found")
