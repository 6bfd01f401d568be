"""Wall time of a full conformance run of every API against the mock (target: < 120 s)."""

from __future__ import annotations

import subprocess
import sys
import time

from mqtt_api_kit.registry import APIS

from .server import mock_process

TARGET_SECONDS = 120


def run(workers: str = "1") -> dict[str, float]:
    timings: dict[str, float] = {}
    with mock_process() as base:
        for name, api in sorted(APIS.items()):
            start = time.perf_counter()
            result = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "mqtt_api_kit.contract_tests",
                    base + api.base_path,
                    "--allow-destructive",
                    "--workers",
                    workers,
                ],
                capture_output=True,
                text=True,
            )
            timings[name] = time.perf_counter() - start
            status = "ok" if result.returncode == 0 else f"FAILED (exit {result.returncode})"
            print(f"  {name:10} {timings[name]:6.1f} s  {status}", flush=True)
    total = sum(timings.values())
    verdict = "within" if total < TARGET_SECONDS else "OVER"
    print(
        f"  {'total':10} {total:6.1f} s  ({verdict} the {TARGET_SECONDS} s target, "
        f"{len(APIS)} APIs, workers={workers}, default max-examples)"
    )
    return timings
