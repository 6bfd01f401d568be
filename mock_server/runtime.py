"""One mock process's own state beside the world: its clock, journal, snapshots, draws.

The pipeline stages and the admin API (`admin.py`) share this object through the `Site`.
It never holds broker state itself: the world does; resetting, restoring and loading a
scenario put another world's state into the one world every dialect serves
(`fixtures/archive.py`), so nothing that serves it needs rebuilding.
"""

from __future__ import annotations

import random
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mqtt_api_kit.fixtures import REFERENCE_NOW, World, build_world
from mqtt_api_kit.fixtures.scenario import Scenario
from mqtt_api_kit.fixtures.scenario import load as load_scenario

from .config import MockConfig
from .journal import Journal
from .timesource import TimeSource

__all__ = ["MAX_SNAPSHOTS", "Runtime", "Sizes", "build"]

MAX_SNAPSHOTS = 16  # oldest dropped first: snapshots are whole worlds


@dataclass(frozen=True, slots=True)
class Sizes:
    seed: int
    clients: int
    nodes: int


def sizes(config: MockConfig, scenario: Scenario | None) -> Sizes:
    """The config's sizes, where the scenario does not set them (the CLI lets an explicit
    `--clients`/`--nodes`/`--seed` win by passing them only when given)."""
    if scenario is None:
        return Sizes(config.seed, config.clients, config.nodes)
    return Sizes(
        scenario.seed if scenario.seed is not None else config.seed,
        scenario.clients if scenario.clients is not None else config.clients,
        len(scenario.node_specs) or scenario.nodes or config.nodes,
    )


def start_time(config: MockConfig) -> int:
    """A live world starts at the wall clock's second; a frozen one at the reference time."""
    return int(time.time()) * 1000 if config.clock == "live" else REFERENCE_NOW


def build(
    config: MockConfig,
    scenario: Scenario | None = None,
    now: int | None = None,
    size: Sizes | None = None,
) -> World:
    size = size or sizes(config, scenario)
    return build_world(
        size.seed,
        size.clients,
        size.nodes,
        now=start_time(config) if now is None else now,
        live=config.clock == "live",
        scenario=scenario,
    )


class Runtime:
    def __init__(
        self,
        world: World,
        config: MockConfig,
        scenario: Scenario | None = None,
        origin: Sizes | None = None,
    ):
        """`origin`: the sizes `world` was built with, when not the config's (a test's world),
        so that a reset rebuilds that world."""
        self.world, self.config = world, config
        self.scenario = scenario if scenario is not None else self.scenario_of(config)
        self.origin = origin
        self.time = TimeSource(world.now, config.speed, running=config.clock == "live")
        self.journal = Journal(config.journal_size, config.log_requests)
        self.snapshots: OrderedDict[str, tuple[bytes, int]] = OrderedDict()
        self._snapshot_serial = 0
        self._draws = random.Random(f"{world.seed}-faults")
        self._boots: tuple[Callable[[], None], ...] = ()

    def on_boot(self, *boots: Callable[[], None]) -> None:
        """What a rebuilt world goes through before anyone reads it (each dialect's `boot`)."""
        self._boots = boots

    @staticmethod
    def scenario_of(config: MockConfig) -> Scenario | None:
        return load_scenario(config.scenario) if config.scenario else None

    # -- the world's time --------------------------------------------------------------------

    def live(self) -> None:
        """Let the world live up to the time source's now."""
        self.world.simulation.advance_to(self.time.now())

    def clock(self, action: str, seconds: float = 0, speed: float | None = None) -> None:
        if action == "pause":
            self.live()
            self.time.pause()
            self.time.anchor(self.world.now)  # stand exactly where the world stands
        elif action == "resume":
            self.time.resume()
        elif action == "advance":
            self.live()
            self.time.advance(int(seconds * 1000), self.world.now)
            self.live()
        if speed is not None:
            self.time.set_speed(speed)

    # -- the world's state -------------------------------------------------------------------

    def reset(self, scenario: Scenario | None = None) -> None:
        """Back to the seed (with `scenario`, or the current one), at the world's time now."""
        if scenario is not None:
            self.scenario, self.origin = scenario, None
        now = self.world.now if self.config.clock == "live" else None
        self.world.archive.adopt(build(self.config, self.scenario, now, self.origin))
        for boot in self._boots:  # a reset is a fresh start: the configuration applies again
            boot()
        self.time.anchor(self.world.now)

    def snapshot(self) -> dict[str, Any]:
        self.live()
        self._snapshot_serial += 1
        name = f"s{self._snapshot_serial}"
        self.snapshots[name] = (self.world.archive.snapshot(), self.world.now)
        while len(self.snapshots) > MAX_SNAPSHOTS:
            self.snapshots.popitem(last=False)
        return {"id": name, "world_time": _iso(self.world.now), "revision": self.world.revision}

    def restore(self, name: str) -> bool:
        found = self.snapshots.get(name)
        if found is None:
            return False
        self.world.archive.restore(found[0])
        self.time.anchor(self.world.now)
        return True

    # -- draws -------------------------------------------------------------------------------

    def draw(self) -> float:
        return self._draws.random()

    def draw_latency(self, span: tuple[int, int]) -> int:
        return self._draws.randint(*span)

    # -- what `GET /__mock/state` says -------------------------------------------------------

    def state(self) -> dict[str, Any]:
        world, config = self.world, self.config
        connected = sum(s.get("connections.count", 0) for s in world.stats().values())
        return {
            "seed": world.seed,
            "scenario": self.scenario.name if self.scenario is not None else None,
            "size": {
                "nodes": len(world.nodes),
                "running_nodes": len(world.running_nodes()),
                "clients": world.client_count(),
                "connected": connected,
            },
            "revision": world.revision,
            "clock": {
                "mode": config.clock,
                "running": self.time.running,
                "speed": self.time.speed,
                "now": _iso(world.now),
                "now_ms": world.now,
                "simulated_seconds": world.simulation.elapsed_ms // 1000,
            },
            "options": {
                "cors": config.cors,
                "cors_origins": list(config.cors_origins),
                "latency_ms": list(config.latency) if config.latency else None,
                "latency_by_operation": {k: list(v) for k, v in config.latency_by_operation},
                "error_rate": config.error_rate,
                "drop_rate": config.drop_rate,
                "journal_size": config.journal_size,
                "log_requests": config.log_requests,
            },
            "snapshots": list(self.snapshots),
        }


def _iso(ms: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + "Z"
