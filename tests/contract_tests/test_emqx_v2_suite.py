"""The contract suite on the EMQ 2.3 API: green on the faithful mock, red on broken ones."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from contract_tests.checks.emqx_v2 import paging_problems
from contract_tests.profiles import API_CHECKS, PROFILES, RESPONSE_CHECKS
from fixtures import build_world
from mock_server import MockConfig, create_app

from ..support import serve
from .emqx_v2_mutants import V2_MUTANTS
from .mutants import MutatingMiddleware
from .test_against_servers import Recorder, run_suite

SPEC = Path(__file__).resolve().parents[2] / "openapi" / "emqx-v2.yaml"
V2_CHECKS = ("emqx_business_code", "emqx_v2_paging")


def mock_app():
    return create_app(build_world(seed=5, clients=150), MockConfig())


def schemathesis(url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    """Schemathesis with our hooks and the v2 checks, whatever the runner's profiles enable."""
    env = dict(os.environ, SCHEMATHESIS_HOOKS="contract_tests.checks", MQTT_API_READ_ONLY="0")
    cmd = [
        sys.executable, "-m", "schemathesis.cli", "--no-color",
        "run", str(SPEC), "--url", url, "--auth", "admin:public",
        "--mode", "positive", "--phases", "examples,coverage,fuzzing",
        "--checks", ",".join(RESPONSE_CHECKS + V2_CHECKS),
        "--max-examples", "15", "--seed", "1", "--suppress-health-check", "all",
        *extra,
    ]  # fmt: skip
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env)


def test_mqtt_api_test_detects_v2_and_sends_only_gets() -> None:
    recorder = Recorder(mock_app())
    with serve(recorder) as base:
        result = run_suite(base + "/api/v2")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert recorder.methods == {"GET"}


def test_v2_checks_pass_on_the_faithful_mock_with_writes() -> None:
    with serve(mock_app()) as base:
        result = schemathesis(base + "/api/v2")
    assert result.returncode == 0, result.stdout[-4000:]


@pytest.mark.parametrize("mutant", sorted(V2_MUTANTS))
def test_suite_fails_against_a_broken_v2(mutant: str) -> None:
    with serve(MutatingMiddleware(mock_app(), V2_MUTANTS[mutant])) as base:
        result = schemathesis(base + "/api/v2", "--include-method", "GET")
    assert result.returncode != 0, f"{mutant} went unnoticed:\n{result.stdout[-3000:]}"


def test_runner_profiles_enable_the_v2_paging_check() -> None:
    assert set(V2_CHECKS) <= set(API_CHECKS["emqx-v2"])
    assert "emqx_v2_paging" in PROFILES["conformance"].checks_for("emqx-v2")
    assert "emqx_v2_paging" not in PROFILES["conformance"].checks_for("emqx-v4")


def _case(**query: object) -> SimpleNamespace:
    return SimpleNamespace(query=query)


def test_paging_rules_as_query_table_computes_them() -> None:
    good = {"current_page": 2, "page_size": 5, "total_num": 7, "total_page": 2, "objects": [1, 2]}
    assert paging_problems(good, 2, 5) == []
    assert paging_problems({**good, "current_page": 0, "objects": [1] * 5}, 0, 5) == []
    assert paging_problems({**good, "total_page": 3}, 2, 5)
    assert paging_problems({**good, "objects": [1, 2, 3]}, 2, 5)
    assert paging_problems(good, 2, 20)
    assert paging_problems({**good, "objects": [1] * 6, "current_page": 1}, 1, 5)
