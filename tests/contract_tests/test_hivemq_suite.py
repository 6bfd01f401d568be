"""HiveMQ specifics of the contract suite: its checks see what a schema cannot (paging faults,
foreign error shapes), the walk carries the run's credentials, and the mock's answers conform
to HiveMQ's own published document too. Green-on-mock and red-on-mutant runs for every API are
in `test_against_servers.py` and `test_mutation.py`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx
import pytest
import yaml
from starlette.types import ASGIApp, Receive, Scope, Send

from mqtt_api_kit.contract_tests.profiles import RESPONSE_CHECKS
from mqtt_api_kit.contract_tests.runner import HOOKS
from mqtt_api_kit.fixtures import build_world
from mqtt_api_kit.mock_server import MockConfig, create_app
from mqtt_api_kit.openapi import document

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


def schemathesis(
    spec: Path, url: str, checks: tuple[str, ...] | None, *extra: str, config: Path | None = None
):
    """Schemathesis with our hooks and the named checks (None: the config file's), independent
    of the runner's profile selection (so the HiveMQ checks are exercised whatever the runner
    enables)."""
    env = dict(os.environ, SCHEMATHESIS_HOOKS=HOOKS, MQTT_API_READ_ONLY="0")
    cmd = [
        sys.executable, "-m", "schemathesis.cli", "--no-color",
        *(["--config-file", str(config)] if config else []),
        "run", str(spec), "--url", url,
        "--mode", "positive", "--phases", "examples,coverage,fuzzing",
        *(["--checks", ",".join(checks)] if checks else []),
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


SCHEMAS = "/api/v1/data-hub/schemas"


def schema_world():
    """A world with 25 schema versions: three pages of ten on the Data Hub list."""
    world = build_world(seed=5, clients=20)
    for i in range(25):
        world.put_schema(f"s{i % 9}", "JSON", b'{"title": "%d"}' % i, {})
    return world


def ignore_cursor_on(path: str, app: ASGIApp) -> ASGIApp:
    """A broker that drops the cursor of one list: every `_links.next` is its first page."""

    async def broken(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == path:
            query = [(k, v) for k, v in parse_qsl(scope["query_string"].decode()) if k != "cursor"]
            scope = dict(scope, query_string=urlencode(query).encode())
        await app(scope, receive, send)

    return broken


def test_the_walk_check_walks_the_data_hub_lists_too() -> None:
    walk = ("hivemq_cursor_walk",)
    only = ("--include-operation-id", "getAllSchemas")
    with serve(create_app(schema_world(), MockConfig())) as base:
        sound = schemathesis(SPEC, base + "/api/v1", walk, *only)
    with serve(ignore_cursor_on(SCHEMAS, create_app(schema_world(), MockConfig()))) as base:
        broken = schemathesis(SPEC, base + "/api/v1", walk, *only)
    assert sound.returncode == 0, sound.stdout[-3000:]
    assert broken.returncode != 0 and "schema version" in broken.stdout
    assert "listed twice" in broken.stdout, broken.stdout[-3000:]


REFERENCE_CONFIG = Path(__file__).with_name("hivemq_reference.toml")
METHODS = ("get", "put", "post", "delete", "patch")


def _operations(document: dict[str, Any], prefix: str = "") -> dict[tuple[str, str], str]:
    """(METHOD, path without the base path) → operationId."""
    return {
        (method.upper(), path.removeprefix(prefix)): op["operationId"]
        for path, item in document["paths"].items()
        for method, op in item.items()
        if method in METHODS
    }


@pytest.mark.skipif(not REFERENCE.exists(), reason="../shared/reference (HiveMQ's document) absent")
def test_every_operation_of_hivemqs_document_is_in_ours() -> None:
    """All 37 operations of HiveMQ's 4.30.0 document, by method and path, with its operationId."""
    theirs = _operations(yaml.safe_load(REFERENCE.read_text()), "/api/v1")
    ours = _operations(document("hivemq.yaml"))
    assert len(theirs) == 37
    assert {k: ours.get(k) for k in theirs} == theirs


@pytest.mark.skipif(not REFERENCE.exists(), reason="../shared/reference (HiveMQ's document) absent")
def test_the_mock_conforms_to_hivemqs_own_document(tmp_path: Path) -> None:
    """HiveMQ's published OpenAPI 4.30.0, all 37 operations, reads and writes, every response
    check — but where the reference contradicts itself (`hivemq_reference.toml` says where
    and why)."""
    checks = "".join(f"{name}.enabled = true\n" for name in RESPONSE_CHECKS)
    config = tmp_path / "reference.toml"
    config.write_text(f"[checks]\nenabled = false\n{checks}\n{REFERENCE_CONFIG.read_text()}")
    with serve(mock_app()) as base:
        result = schemathesis(REFERENCE, base, None, config=config)
    assert result.returncode == 0, result.stdout[-4000:]
    assert "Selected: 37/37" in result.stdout and "Tested: 37" in result.stdout


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
