"""The contract suite, run for real: green on the faithful mock, red on broken ones."""

from __future__ import annotations

import subprocess
import sys

import pytest
from starlette.types import ASGIApp, Receive, Scope, Send

from fixtures import build_world
from mock_server import MockConfig, create_app

from ..support import serve
from .mutants import MUTANTS, MutatingMiddleware


def run_suite(url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    cmd = [
        sys.executable,
        "-m",
        "contract_tests",
        url,
        "--max-examples",
        "15",
        "--seed",
        "1",
        *extra,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600)


def mock_app() -> ASGIApp:
    return create_app(build_world(seed=5, clients=150), MockConfig())


class Recorder:
    def __init__(self, app: ASGIApp) -> None:
        self.app, self.methods = app, set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.methods.add(scope["method"])
        await self.app(scope, receive, send)


def test_against_a_target_only_gets_are_sent_by_default() -> None:
    recorder = Recorder(mock_app())
    with serve(recorder) as base:
        result = run_suite(base + "/api/v4")
    assert result.returncode == 0, result.stdout[-4000:]
    assert recorder.methods == {"GET"}


def test_faithful_mock_passes_with_writes_allowed() -> None:
    recorder = Recorder(mock_app())
    with serve(recorder) as base:
        result = run_suite(base + "/api/v4", "--allow-destructive")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert {"GET", "DELETE"} <= recorder.methods


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_suite_fails_against_a_broken_server(name: str) -> None:
    mutant = MUTANTS[name]
    with serve(MutatingMiddleware(mock_app(), mutant)) as base:
        result = run_suite(base + mutant.api)
    assert result.returncode == 1, f"{name} went unnoticed:\n{result.stdout[-3000:]}"
    assert "Reproduce with" in result.stdout and "curl" in result.stdout
    assert "public" not in result.stdout  # credentials are masked in the report
