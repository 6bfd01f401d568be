from __future__ import annotations

import itertools
import subprocess
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

warnings.filterwarnings("ignore", message=".*starlette.testclient.*")

from starlette.testclient import TestClient  # noqa: E402

from mqtt_api_kit.fixtures import World, build_world  # noqa: E402
from mqtt_api_kit.mock_server import MockConfig, create_app  # noqa: E402

from .support import AUTH_HEADERS  # noqa: E402

WORLD_SEED, WORLD_CLIENTS, WORLD_NODES = 7, 120, 3
WORLD = {"seed": WORLD_SEED, "clients": WORLD_CLIENTS, "nodes": WORLD_NODES}


READ_ONLY = "read_only"


@pytest.fixture(scope="session")
def _session_world() -> World:
    return build_world(WORLD_SEED, WORLD_CLIENTS, WORLD_NODES)


@pytest.fixture(scope="session")
def _session_client(_session_world: World) -> TestClient:
    return TestClient(create_app(_session_world, MockConfig()), headers=AUTH_HEADERS)


@pytest.fixture
def world(request: pytest.FixtureRequest) -> Iterator[World]:
    """A fresh world per test; a test marked `read_only` shares one per session instead, and
    fails if it moves that world's revision (the ledger counts every write), as it would leak
    its writes into every later test."""
    if request.node.get_closest_marker(READ_ONLY) is None:
        yield build_world(WORLD_SEED, WORLD_CLIENTS, WORLD_NODES)
        return
    shared: World = request.getfixturevalue("_session_world")
    before = shared.revision
    yield shared
    if shared.revision != before:
        pytest.fail(
            f"a read_only test wrote to the shared world (revision {before} → "
            f"{shared.revision}): drop the mark, it needs a world of its own",
            pytrace=False,
        )


@pytest.fixture
def client(request: pytest.FixtureRequest, world: World) -> TestClient:
    """An EMQX-v4-authenticated test client over a mock of `world`: fresh per test, or for a
    `read_only` test the session's one mock over the shared world."""
    if request.node.get_closest_marker(READ_ONLY) is not None:
        shared: TestClient = request.getfixturevalue("_session_client")
        return shared
    return TestClient(create_app(world, MockConfig()), headers=AUTH_HEADERS)


# -- the quick tier stays quick ----------------------------------------------------------------

# `python -m <one of these>` runs the suite (the runner, or Schemathesis itself).
_SUITE_MODULES = frozenset(
    {
        "schemathesis",
        "schemathesis.cli",
        "mqtt_api_kit.contract_tests",
        "mqtt_api_kit.contract_tests.child",
        "contract_tests",
    }
)


def _runs_the_suite(args: Any) -> bool:
    words = [str(w) for w in ([args] if isinstance(args, (str, bytes)) else list(args))]
    if len(words) == 1:  # a shell string
        words = words[0].split()
    modules = {words[i + 1] for i, word in enumerate(words[:-1]) if word == "-m"}
    programs = {word.rsplit("/", 1)[-1] for word in words[:1]}
    mqtt_api_test = any(
        word.rsplit("/", 1)[-1] == "mqtt-api" and following == "test"
        for word, following in itertools.pairwise(words)
    )
    return bool(modules & _SUITE_MODULES or programs & {"schemathesis", "st"} or mqtt_api_test)


class _QuickTierPopen(subprocess.Popen):
    def __init__(self, args: Any, *rest: Any, **kwargs: Any) -> None:
        if _runs_the_suite(args):
            raise RuntimeError(
                "this test starts the contract suite in a subprocess: mark it "
                "@pytest.mark.slow (it belongs to the second tier of `make test`)"
            )
        super().__init__(args, *rest, **kwargs)


@pytest.fixture(autouse=True)
def _suite_runs_are_slow(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """A test not marked `slow` cannot start Schemathesis or `mqtt-api test`."""
    if request.node.get_closest_marker("slow") is None:
        monkeypatch.setattr(subprocess, "Popen", _QuickTierPopen)
