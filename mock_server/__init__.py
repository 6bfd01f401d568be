"""A stateful mock of MQTT broker management APIs, serving one seeded world.

Public surface: `create_app(world, config)` → ASGI app, and `MockConfig`.
"""

from .app import create_app
from .config import MockConfig

__all__ = ["MockConfig", "create_app"]
