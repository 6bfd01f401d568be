"""HiveMQ specifics of the contract suite: its checks see what a schema cannot (paging faults,
foreign error shapes), the walk carries the run's credentials, and the mock's answers conform
to HiveMQ's own published document too. Green-on-mock and red-on-mutant runs for every API are
in `test_against_servers.py` and `test_mutation.py`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from mqtt_api_kit.contract_tests.profiles import RESPONSE_CHECKS
from mqtt_api_kit.contract_tests.runner import HOOKS
from mqtt_api_kit.fixtures import build_world
from mqtt_api_kit.mock_server import MockConfig, create_app

from ..support import serve
from .hivemq_mutants import HIVEMQ_MUTANTS

pytestmark = pytest.mark.slow  # every test here runs Schemathesis in a subprocess

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "openapi" / "hivemq.yaml"
REFERENCE = ROOT.parent / "shared" / "reference" / "hivemq" / "hivemq-openapi-4.30.0.yaml"
HIVEMQ_CHECKS = ("hivemq_error_shape", "hivemq_cursor_walk")
# What each paging mutant must be caught by: the walk check's own words.
EXPECTED = {
    "hivemq-cursor-ignored": "listed twice",
    "hivemq-later-pages-lose-a-client": "different clients",
    "hivemq-last-page-links-back": "of the client walk",
}


def mock_app():
    return create_app(build_world(seed=5, clients=150), MockConfig())


def schemathesis(spec: Path, url: str, checks: tuple[str, ...], *extra: str):
    """Schemathesis with our hooks and the named checks, independent of the runner's profile
    selection (so the HiveMQ checks are exercised whatever the runner enables)."""
    env = dict(os.environ, SCHEMATHESIS_HOOKS=HOOKS, MQTT_API_READ_ONLY="0")
    cmd = [
        sys.executable, "-m", "schemathesis.cli", "--no-color",
        "run", str(spec), "--url", url,
        "--mode", "positive", "--phases", "examples,coverage,fuzzing",
        "--checks", ",".join(checks),
        "--max-examples", "15", "--seed", "1", "--suppress-health-check", "all",
        *extra,
    ]  # fmt: skip
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env)


@pytest.mark.parametrize("mutant", sorted(EXPECTED))
def test_the_walk_check_alone_catches_paging_faults(mutant: str) -> None:
    """Paging faults are invisible to the schema: only the walk check can see them."""
    with serve(HIVEMQ_MUTANTS[mutant].wrap(mock_app())) as base:
        schema_only = schemathesis(
            SPEC, base + "/api/v1", RESPONSE_CHECKS, "--include-method", "GET"
        )
        walk = schemathesis(
            SPEC, base + "/api/v1", ("hivemq_cursor_walk",), "--include-method", "GET"
        )
    assert walk.returncode != 0 and EXPECTED[mutant] in walk.stdout, walk.stdout[-3000:]
    if mutant != "hivemq-last-page-links-back":  # its made-up cursor also breaks the schema pattern
        assert schema_only.returncode == 0, schema_only.stdout[-3000:]


# The operations of HiveMQ's own document that the mock serves, minus two the reference
# contradicts itself on: getSchema and getAllSchemas project `?fields=` (its own example
# answers `{"id": …}` alone) against a `Schema` that requires `schemaDefinition` and `type`,
# and getAllSchemas lists no 400 although its `limit` "has to be between 10 and 500".
REFERENCE_OPERATIONS = (
    "getAllMqttClients",
    "getMqttClientDetails",
    "getMqttClientConnectionState",
    "getSubscriptionsForMqttClient",
    "disconnectClient",
    "invalidateClientSession",
    "createSchema",
    "deleteSchema",
)


@pytest.mark.skipif(not REFERENCE.exists(), reason="../shared/reference (HiveMQ's document) absent")
def test_the_mock_conforms_to_hivemqs_own_document() -> None:
    """HiveMQ's published OpenAPI 4.30.0, reads and writes, every response check."""
    selection = [arg for op in REFERENCE_OPERATIONS for arg in ("--include-operation-id", op)]
    with serve(mock_app()) as base:
        result = schemathesis(REFERENCE, base, RESPONSE_CHECKS, *selection)
    assert result.returncode == 0, result.stdout[-4000:]
    assert f"Selected: {len(REFERENCE_OPERATIONS)}/" in result.stdout


def test_the_error_shape_check_alone_catches_foreign_errors() -> None:
    with serve(HIVEMQ_MUTANTS["hivemq-errors-as-message"].wrap(mock_app())) as base:
        result = schemathesis(SPEC, base + "/api/v1", ("hivemq_error_shape",))
    assert result.returncode != 0 and "without HiveMQ's error shape" in result.stdout


def test_the_walk_follows_links_with_the_runs_credentials() -> None:
    """On a protected API the walk's own GETs must carry the run's credentials (else 401)."""
    app = create_app(build_world(seed=5, clients=150), MockConfig(hivemq_auth=("ops", "pw")))
    with serve(app) as base:
        assert httpx.get(base + "/api/v1/mqtt/clients").status_code == 401  # really protected
        authed = schemathesis(SPEC, base + "/api/v1", ("hivemq_cursor_walk",), "--auth", "ops:pw")
    assert authed.returncode == 0, authed.stdout[-3000:]
