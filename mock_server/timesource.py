"""Where the world's time should be now: the wall clock mapped onto world time.

The world's clock (`fixtures/clock.py`) only moves through writes; this says how far it should
have moved. Live: world time runs `speed` times as fast as the wall clock from an anchor.
Paused (and frozen, which starts paused): it stays at the anchor until resumed or advanced.
The admin API's `POST /__mock/clock` drives pause, resume, advance and speed.
"""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["TimeSource"]


class TimeSource:
    def __init__(
        self,
        start_ms: int,
        speed: float = 1.0,
        running: bool = True,
        wall: Callable[[], float] = time.monotonic,
    ) -> None:
        self._wall = wall
        self._anchor_ms = start_ms
        self._anchor_wall = wall()
        self.speed = speed
        self.running = running

    def now(self) -> int:
        """ms: the world time the world should have reached."""
        if not self.running:
            return self._anchor_ms
        return self._anchor_ms + int((self._wall() - self._anchor_wall) * 1000 * self.speed)

    def anchor(self, world_ms: int) -> None:
        """Go on from `world_ms` (after a reset, a restore, an advance)."""
        self._anchor_ms, self._anchor_wall = world_ms, self._wall()

    def pause(self) -> None:
        self.anchor(self.now())
        self.running = False

    def resume(self) -> None:
        self.anchor(self.now())
        self.running = True

    def set_speed(self, speed: float) -> None:
        self.anchor(self.now())
        self.speed = speed

    def advance(self, ms: int, floor: int) -> int:
        """Jump `ms` ahead of the later of now and `floor` (the world's own clock, which
        writes may have moved past this source); the new target."""
        self.anchor(max(self.now(), floor) + ms)
        return self._anchor_ms
