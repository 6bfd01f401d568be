"""What the `mock` command does to its process to answer sooner (kit/startup.py). The check
runs in a fresh interpreter: the change is process-wide."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def _run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_booting_freezes_what_was_built_and_restores_the_collector() -> None:
    out = _run(
        """
        import gc
        from mqtt_api_kit.startup import booting
        with booting():
            inside = gc.isenabled()
            kept = [[i] for i in range(1000)]
        print(inside, gc.isenabled(), gc.get_freeze_count() >= 1000)
        gc.disable()
        with booting():
            pass
        print(gc.isenabled())
        """
    )
    assert out.split() == ["False", "True", "True", "False"]
