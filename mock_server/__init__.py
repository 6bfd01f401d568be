"""A stateful mock of MQTT broker management APIs, serving one seeded world.

Public surface: `create_app(world, config)` → ASGI app, and `MockConfig`.

`create_app` is loaded on first use: importing the package (the CLI does, for `MockConfig`'s
defaults) must not import Connexion, whose import-time warning only the programs silence, and
which `mqtt-api test` never needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .config import MockConfig

if TYPE_CHECKING:
    from .app import create_app as create_app

__all__ = ["MockConfig", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
