"""Plugins, broker configuration and plugin configuration (EMQ 2.3).

Writes to a node outside the cluster fail in the remote call and answer 102; reads of one
crash (404). Both configuration lists come out in reverse order of the node's file (the
handlers accumulate them by prepending).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import World

from . import errors, serialize
from .clients import running
from .params import parse


class PluginsApi:
    def __init__(self, world: World) -> None:
        self.world = world

    async def list_plugins(self, node: str) -> Response:
        owner = running(self.world, node)
        if owner is None:
            return errors.crashed()
        plugins = sorted(owner.plugins.values(), key=lambda p: p.name)
        return errors.ok([serialize.plugin(p) for p in plugins])

    async def set_plugin_active(self, node: str, plugin: str, body: Any) -> Response:
        body = parse(body, {"active": bool})
        if isinstance(body, Response):
            return body
        owner = running(self.world, node)
        if owner is None:  # {badrpc, nodedown} falls into return/1's catch-all
            return errors.error(errors.UNKNOWN, "unknown")
        found = owner.plugins.get(plugin)
        if body["active"]:
            if found is not None and found.active:
                return errors.error(errors.ALREADY_STARTED, "already_started")
            if found is None:  # emqttd_plugins:load/1 → {error, not_found}
                return errors.error(errors.UNKNOWN, "unknown")
        elif found is None or not found.active:  # unload/1 checks the started apps first
            return errors.error(errors.NOT_STARTED, "not_started")
        self.world.set_plugin_active(node, plugin, bool(body["active"]))
        return errors.ok()


class ConfigsApi:
    def __init__(self, world: World) -> None:
        self.world = world

    async def list_configs(self) -> Response:
        return errors.ok(
            {
                n.name: [serialize.config(e) for e in reversed(n.configs)]
                for n in self.world.running_nodes()
            }
        )

    async def list_node_configs(self, node: str) -> Response:
        owner = running(self.world, node)
        if owner is None:
            return errors.crashed()
        return errors.ok([serialize.config(e) for e in reversed(owner.configs)])

    async def set_config(self, app: str, body: Any) -> Response:
        body = parse(body, {"key": str, "value": str})
        if isinstance(body, Response):
            return body
        changed = [
            self.world.cluster.set_config(n.name, app, body["key"], body["value"])
            for n in self.world.running_nodes()
        ]
        return errors.ok() if any(changed) else errors.error(errors.UNKNOWN)

    async def set_node_config(self, node: str, app: str, body: Any) -> Response:
        body = parse(body, {"key": str, "value": str})
        if isinstance(body, Response):
            return body
        owner = running(self.world, node)
        if owner is None or not self.world.cluster.set_config(
            owner.name, app, body["key"], body["value"]
        ):
            return errors.error(errors.UNKNOWN)
        return errors.ok()

    async def list_plugin_configs(self, node: str, app: str) -> Response:
        owner = running(self.world, node)
        settings = self.world.cluster.plugin_settings(node, app) if owner is not None else None
        if settings is None:  # {ok, Data} = … is a badmatch for a missing file
            return errors.crashed()
        return errors.ok([serialize.plugin_config(s) for s in reversed(settings)])

    async def set_plugin_configs(self, node: str, app: str, body: Any) -> Response:
        body = parse(body, {})
        if isinstance(body, Response):
            return body
        if not all(isinstance(v, str) for v in body.values()):
            return errors.crashed()  # the file writer takes text values only
        owner = running(self.world, node)
        if owner is None or not self.world.cluster.set_plugin_settings(owner.name, app, body):
            return errors.error(errors.UNKNOWN)
        return errors.ok()
