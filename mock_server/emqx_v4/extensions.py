"""`/plugins…` and `/modules…`: list them per node, load/unload/reload them.

Both follow the same broker code shape: per-node calls answer `{"code":0}` or
`{"message":"already_started"|"not_started"|"not_found"}` (no code); cluster-wide calls run on
every running node and answer the last error if any failed. A name the broker has never seen
is not an Erlang atom, so the route does not match: 404 `Not found.`.

Plugin activity is shared with every API (plugin-owned routes answer 404 while their plugin
is stopped). Reloading a plugin or module that runs restarts it; a stopped plugin cannot be
reloaded (`not_started`); reloading a module other than the internal ACL one is a no-op.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.responses import Response

from mqtt_api_kit.fixtures import Node, World

from . import errors, serialize

Action = Callable[[Node, str], str | None]  # None: done; text: the broker's error reason


class ExtensionsApi:
    def __init__(self, world: World) -> None:
        self.world = world

    # -- generic -----------------------------------------------------------------------------

    def _known(self, name: str, kind: str) -> bool:
        return any(name in getattr(n, kind) for n in self.world.nodes)

    def _on_node(self, node: str, name: str, kind: str, action: Action) -> Response:
        found = self.world.node(node)
        if found is None or not self._known(name, kind):
            return errors.route_not_found()
        reason = action(found, name)
        return errors.ok() if reason is None else errors.message(reason)

    def _on_cluster(self, name: str, kind: str, action: Action) -> Response:
        if not self._known(name, kind):
            return errors.route_not_found()
        reasons = [action(n, name) for n in self.world.running_nodes()]
        failed = [r for r in reasons if r is not None]
        return errors.message(failed[-1]) if failed else errors.ok()

    def _switch(self, kind: str, active: bool | None) -> Action:
        """load (True), unload (False) or reload (None) a plugin or module on one node."""

        def act(node: Node, name: str) -> str | None:
            item = getattr(node, kind).get(name)
            if item is None:
                return "not_found"
            if active is None:
                return None if item.active or kind == "modules" else "not_started"
            if item.active == active:
                return "already_started" if active else "not_started"
            if kind == "plugins":
                self.world.set_plugin_active(node.name, name, active)
            else:
                self.world.set_module_active(node.name, name, active)
            return None

        return act

    # -- plugins -----------------------------------------------------------------------------

    async def list_plugins(self) -> Response:
        data = [
            {"node": n.name, "plugins": [serialize.plugin(p) for _, p in sorted(n.plugins.items())]}
            for n in self.world.running_nodes()
        ]
        return errors.ok(data=data)

    async def list_node_plugins(self, node: str) -> Response:
        found = self.world.node(node)
        if found is None:
            return errors.route_not_found()
        return errors.ok(data=[serialize.plugin(p) for _, p in sorted(found.plugins.items())])

    async def load_node_plugin(self, node: str, plugin: str) -> Response:
        return self._on_node(node, plugin, "plugins", self._switch("plugins", True))

    async def unload_node_plugin(self, node: str, plugin: str) -> Response:
        return self._on_node(node, plugin, "plugins", self._switch("plugins", False))

    async def reload_node_plugin(self, node: str, plugin: str) -> Response:
        return self._on_node(node, plugin, "plugins", self._switch("plugins", None))

    async def unload_plugin(self, plugin: str) -> Response:
        return self._on_cluster(plugin, "plugins", self._switch("plugins", False))

    async def reload_plugin(self, plugin: str) -> Response:
        return self._on_cluster(plugin, "plugins", self._switch("plugins", None))

    # -- modules -----------------------------------------------------------------------------

    async def list_modules(self) -> Response:
        data = [
            {"node": n.name, "modules": [serialize.module(m) for m in n.modules.values()]}
            for n in self.world.running_nodes()
        ]
        return errors.ok(data=data)

    async def list_node_modules(self, node: str) -> Response:
        found = self.world.node(node)
        if found is None:
            return errors.route_not_found()
        return errors.ok(data=[serialize.module(m) for m in found.modules.values()])

    async def load_node_module(self, node: str, module: str) -> Response:
        return self._on_node(node, module, "modules", self._switch("modules", True))

    async def unload_node_module(self, node: str, module: str) -> Response:
        return self._on_node(node, module, "modules", self._switch("modules", False))

    async def reload_node_module(self, node: str, module: str) -> Response:
        return self._on_node(node, module, "modules", self._switch("modules", None))

    async def load_module(self, module: str) -> Response:
        return self._on_cluster(module, "modules", self._switch("modules", True))

    async def unload_module(self, module: str) -> Response:
        return self._on_cluster(module, "modules", self._switch("modules", False))

    async def reload_module(self, module: str) -> Response:
        return self._on_cluster(module, "modules", self._switch("modules", None))
