"""The two tiers of `make test`: a test outside the `slow` tier cannot start the suite."""

from __future__ import annotations

import subprocess
import sys

import pytest


def test_a_quick_test_cannot_start_schemathesis() -> None:
    with pytest.raises(RuntimeError, match=r"mark it @pytest.mark.slow"):
        subprocess.run([sys.executable, "-m", "schemathesis.cli", "--version"], check=False)
    with pytest.raises(RuntimeError, match=r"mark it @pytest.mark.slow"):
        subprocess.call([sys.executable, "-m", "mqtt_api_kit.contract_tests", "--help"])


def test_other_subprocesses_still_run() -> None:
    done = subprocess.run([sys.executable, "-c", "print(42)"], capture_output=True, text=True)
    assert done.stdout.strip() == "42"


def test_importing_the_suite_is_not_running_it() -> None:
    code = "import mqtt_api_kit.contract_tests.runner"
    assert subprocess.run([sys.executable, "-W", "ignore", "-c", code]).returncode == 0
