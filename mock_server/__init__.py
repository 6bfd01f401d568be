"""A stateful mock of MQTT broker management APIs, serving one seeded world.

Public surface: `create_app(world, config)` → ASGI app, and `MockConfig`.
"""

import warnings

# Connexion imports Starlette's test client at import time, which warns about httpx: noise for
# anyone starting the mock, nothing they can act on.
warnings.filterwarnings("ignore", message=".*starlette.testclient.*")

from .app import create_app  # noqa: E402
from .config import MockConfig  # noqa: E402

__all__ = ["MockConfig", "create_app"]
