from __future__ import annotations

import sys
import warnings
from collections.abc import Callable

from . import http, mock, mqtt, sizes, suite, world

BENCHES: dict[str, Callable[[], object]] = {
    "world": world.run,
    "mock": mock.run,
    "mqtt": mqtt.run,
    "suite": suite.run,
    "http": http.run,
    "sizes": sizes.run,
}


def main(argv: list[str]) -> int:
    # Connexion's import of Starlette's test client warns about httpx: noise here. Set by the
    # program, not on import.
    warnings.filterwarnings("ignore", message=".*starlette.testclient.*")
    chosen = argv or list(BENCHES)
    for name in chosen:
        if name not in BENCHES:
            print(f"unknown benchmark {name!r}; choose from {', '.join(BENCHES)}")
            return 2
        print(f"{name}:", flush=True)
        BENCHES[name]()
    return 0


sys.exit(main(sys.argv[1:]))
