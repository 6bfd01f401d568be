"""Build time and memory of seeded worlds (time untraced; memory as resident-set growth)."""

from __future__ import annotations

import gc
import time
from pathlib import Path

from mqtt_api_kit.fixtures import build_world


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run(sizes: tuple[int, ...] = (1_000, 10_000, 100_000)) -> None:
    for size in sizes:
        gc.collect()
        before = _rss_mib()
        start = time.perf_counter()
        world = build_world(seed=42, clients=size)
        elapsed = time.perf_counter() - start
        grown = _rss_mib() - before
        subs = sum(1 for _ in world.subscriptions())
        print(
            f"  {size:7} clients, {subs:7} subscriptions: build {elapsed:6.2f} s, "
            f"resident +{grown:7.1f} MiB",
            flush=True,
        )
        del world
