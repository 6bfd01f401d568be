from __future__ import annotations

import sys
import warnings

warnings.filterwarnings("ignore", message=".*starlette.testclient.*")

from . import mock, mqtt, suite, world  # noqa: E402

BENCHES = {"world": world.run, "mock": mock.run, "mqtt": mqtt.run, "suite": suite.run}


def main(argv: list[str]) -> int:
    chosen = argv or list(BENCHES)
    for name in chosen:
        if name not in BENCHES:
            print(f"unknown benchmark {name!r}; choose from {', '.join(BENCHES)}")
            return 2
        print(f"{name}:", flush=True)
        BENCHES[name]()
    return 0


sys.exit(main(sys.argv[1:]))
