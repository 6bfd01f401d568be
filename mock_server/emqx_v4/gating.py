"""Plugin gating: a route owned by a plugin answers 404 `Not found.` while it is inactive.

The document marks such operations with `x-emqx-plugin: <application>`; this module reads the
marks once and wraps those handlers. The broker decides before it reads the request, so the
same 404 must also win over a request the document rejects (`blocks()` serves the dialect's
bad-request hook).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from starlette.requests import Request

from fixtures import World

from . import errors

_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def plugins_of(spec_file: Path) -> dict[str, str]:
    """operationId → the plugin that must be active for it to be routed."""
    doc = yaml.safe_load(spec_file.read_text())
    owners: dict[str, str] = {}
    for item in doc.get("paths", {}).values():
        for method in _METHODS:
            op = item.get(method)
            if isinstance(op, dict) and op.get("x-emqx-plugin") and op.get("operationId"):
                owners[op["operationId"]] = op["x-emqx-plugin"]
    return owners


def gate(
    table: dict[str, Callable[..., Any]], owners: dict[str, str], world: World
) -> dict[str, Callable[..., Any]]:
    return {op: _gated(fn, owners[op], world) if op in owners else fn for op, fn in table.items()}


def _gated(handler: Callable[..., Any], plugin: str, world: World) -> Callable[..., Any]:
    @functools.wraps(handler)  # Connexion reads the wrapped signature to pass arguments
    async def gated(*args: Any, **kwargs: Any) -> Any:
        if not world.plugin_active(plugin):
            return errors.route_not_found()
        return await handler(*args, **kwargs)

    return gated


def blocks(request: Request, owners: dict[str, str], world: World) -> bool:
    """Whether the request's route belongs to a plugin that is not active."""
    routing = request.scope.get("extensions", {}).get("connexion_routing", {})
    plugin = owners.get(routing.get("operation_id") or "")
    return plugin is not None and not world.plugin_active(plugin)
