"""Plugin gating: a route owned by a plugin answers 404 `Not found.` while it is inactive.

The document marks such operations with `x-emqx: {plugin: <application>}`; this module reads
the marks once. The broker's dispatcher decides before it reads the request (minirest's route
filter), so the pipeline asks `answer()` right after routing, before the body is read or
validated (`EmqxV4.route_off`).
"""

from __future__ import annotations

from starlette.responses import Response

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.openapi.extensions import facts
from mqtt_api_kit.openapi.operations import operations

from . import errors


def plugins_of(name: str) -> dict[str, str]:
    """operationId → the plugin that must be active for it to be routed (`x-emqx.plugin`)."""
    return {
        op.operation_id: str(plugin)
        for op in operations(name)
        if (plugin := facts(op.definition, "x-emqx").get("plugin"))
    }


def answer(operation_id: str, owners: dict[str, str], world: World) -> Response | None:
    """404 `Not found.` while the operation's plugin is not active, else None."""
    plugin = owners.get(operation_id)
    if plugin is not None and not world.plugin_active(plugin):
        return errors.route_not_found()
    return None
