"""The contract suite, run for real: green on the faithful mock, red on broken ones.

Every API the suite knows (`mqtt_api_kit.registry.APIS`) is run with every profile against the
mock, with writes allowed; against a "real" target (a recording layer in front of the mock) a
default run must send nothing but reads.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from starlette.types import ASGIApp, Receive, Scope, Send

from mqtt_api_kit.contract_tests.checks.safety import WRITE_METHODS
from mqtt_api_kit.fixtures import build_world
from mqtt_api_kit.mock_server import MockConfig, create_app
from mqtt_api_kit.registry import APIS

from ..support import serve

pytestmark = pytest.mark.slow  # every test here runs `mqtt-api test` in a subprocess


def run_suite(
    url: str, *extra: str, examples: int = 8, timeout: float = 900
) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "mqtt_api_kit.contract_tests", url, "--seed", "1"]
    cmd += ["--max-examples", str(examples), *extra]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def mock_app(hivemq_auth: tuple[str, str] | None = None) -> ASGIApp:
    return create_app(build_world(seed=5, clients=150), MockConfig(hivemq_auth=hivemq_auth))


def report(result: subprocess.CompletedProcess[str]) -> str:
    return result.stdout[-5000:] + result.stderr[-2000:]


class Recorder:
    """Remembers the methods that reached the app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app, self.methods = app, set[str]()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.methods.add(scope["method"])
        await self.app(scope, receive, send)


@pytest.mark.parametrize("profile", ["conformance", "robustness", "stateful"])
@pytest.mark.parametrize("api", sorted(APIS))
def test_faithful_mock_passes_every_profile(api: str, profile: str) -> None:
    recorder = Recorder(mock_app())
    with serve(recorder) as base:
        result = run_suite(base + APIS[api].base_path, "--profile", profile, "--allow-destructive")
    assert result.returncode == 0, report(result)
    assert "per operation:" in result.stdout and " 0 failed" in result.stdout
    assert "PASS " in result.stdout


@pytest.mark.parametrize("api", sorted(APIS))
def test_against_a_target_only_reads_are_sent_by_default(api: str) -> None:
    recorder = Recorder(mock_app())
    with serve(recorder) as base:
        result = run_suite(
            base + APIS[api].base_path,
            "--profile",
            "conformance",
            "--profile",
            "robustness",
            "--profile",
            "stateful",
        )
    assert result.returncode == 0, report(result)
    assert "GET" in recorder.methods and not recorder.methods & WRITE_METHODS


def test_writes_reach_the_target_only_when_allowed() -> None:
    recorder = Recorder(mock_app())
    with serve(recorder) as base:
        result = run_suite(base + "/api/v4", "--allow-destructive", "--include", "/clients")
    assert result.returncode == 0, report(result)
    assert "DELETE" in recorder.methods


SLOW = os.environ.get("MQTT_API_SLOW") == "1"


@pytest.mark.slow
@pytest.mark.skipif(not SLOW, reason="slow (about an hour in all): set MQTT_API_SLOW=1")
@pytest.mark.parametrize("profile", ["conformance", "robustness", "stateful"])
@pytest.mark.parametrize("api", sorted(APIS))
def test_no_false_alarm_at_200_examples(api: str, profile: str) -> None:
    """Where rare generated inputs live: the faithful mock must still raise nothing."""
    with serve(mock_app()) as base:
        result = run_suite(
            base + APIS[api].base_path,
            *("--profile", profile, "--allow-destructive", "--budget", "3000"),
            examples=200,
            timeout=3600,
        )
    assert result.returncode == 0, report(result)
    assert " 0 failed" in result.stdout
