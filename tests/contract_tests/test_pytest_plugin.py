"""The suite inside someone else's pytest: the plugin (`pytest --mqtt-api-target URL`) judges as
`mqtt-api test` does, and the thin embedding (`embedding.load`) raises no false alarm."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ..support import serve
from .mutants import EMQX_V4_MUTANTS
from .test_against_servers import mock_app

FOCUS = "--include '^GET /(clients|sasl)$' --max-examples 3 --seed 1"


def pytest_in(directory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rfs", *args]
    return subprocess.run(cmd, cwd=directory, capture_output=True, text=True, timeout=900)


def test_without_a_target_the_plugin_adds_nothing(tmp_path: Path) -> None:
    result = pytest_in(tmp_path, "--co", "-q")
    assert "no tests collected" in result.stdout, result.stdout


def test_the_plugin_collects_one_test_per_profile_and_operation(tmp_path: Path) -> None:
    args = "--include '^GET /clients$' --profile conformance --profile robustness"
    result = pytest_in(
        tmp_path, "--co", "-q", "--mqtt-api-target", "http://h/api/v4", "--mqtt-api-args", args
    )
    assert "mqtt-api::conformance::GET /clients" in result.stdout, result.stdout
    assert "mqtt-api::robustness::GET /clients" in result.stdout


@pytest.mark.slow
def test_the_plugin_passes_the_faithful_mock_and_skips_what_it_does_not_serve(
    tmp_path: Path,
) -> None:
    with serve(mock_app()) as base:
        result = pytest_in(
            tmp_path, "--mqtt-api-target", base + "/api/v4", "--mqtt-api-args", FOCUS
        )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "1 passed, 1 skipped" in result.stdout
    assert "not served: every answer" in result.stdout  # the skip says why


@pytest.mark.slow
def test_the_plugin_fails_what_the_cli_fails(tmp_path: Path) -> None:
    mutant = EMQX_V4_MUTANTS["v4-any-password-accepted"]
    with serve(mutant.wrap(mock_app())) as base:
        result = pytest_in(
            tmp_path, "--mqtt-api-target", base + "/api/v4", "--mqtt-api-args", FOCUS
        )
    assert result.returncode == 1, result.stdout[-3000:]
    assert "FAILED" in result.stdout and "auth_required" in result.stdout
    assert "curl" in result.stdout


EMBEDDED = """
from hypothesis import settings
from mqtt_api_kit.contract_tests.embedding import load

schema = load("emqx-v4", "{url}", auth=("admin", "public")).include(path_regex="^/clients")


@schema.parametrize()
@settings(max_examples=5, deadline=None)
def test_emqx(case):
    case.call_and_validate()
"""


@pytest.mark.slow
def test_the_embedding_raises_no_false_alarm_on_the_faithful_mock(tmp_path: Path) -> None:
    with serve(mock_app()) as base:
        (tmp_path / "test_embedded.py").write_text(EMBEDDED.format(url=base + "/api/v4"))
        result = pytest_in(tmp_path, "-q")
    assert result.returncode == 0, result.stdout[-4000:]
    assert " passed" in result.stdout and "failed" not in result.stdout
