"""What the `mock` command does to its process so that it answers sooner.

The collector is off while the app is built, then everything built so far is frozen
(`gc.freeze`, Python's documented tool for long-lived start-up state). Start-up allocates a few
hundred thousand objects (four resolved OpenAPI documents, their validators, the world) that
live as long as the process; with the collector on, each full collection walks them all
again, during start-up and later between requests. Measured on the 2-core CI machine, launch
until `GET /api/v4/stats` answers, default world, medians of 8 launches pinned to one core:
see README, "Numbers".

Process-wide, so only the CLI's `mock` command applies it, in `main`, never an import
(tests/test_public_surface.py checks that importing the package changes nothing).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["booting"]


@contextmanager
def booting() -> Iterator[None]:
    """The collector off inside, and what was built frozen out of its reach on the way out."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
