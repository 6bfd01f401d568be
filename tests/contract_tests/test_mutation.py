"""Mutation testing of the contract suite: it must catch every in-repo mutant.

A mutant is the faithful mock with one contract break (see `mutants.py`). Each is run through
`mqtt-api test` exactly as a user would run it — read-only unless the break is in a write —
and the suite must exit 1 with a reproducible report; a removed route must instead be reported
as not served (exit 0), and as a failure with `--require-all`. Together with the clean runs
against the faithful mock (`test_against_servers.py`) this is the mutation score the README
reports.
"""

from __future__ import annotations

from collections import Counter

import pytest

from ..support import serve
from .emqx_v2_mutants import EMQX_V2_MUTANTS
from .emqx_v5_mutants import EMQX_V5_MUTANTS
from .hivemq_mutants import HIVEMQ_MUTANTS
from .mutants import EMQX_V4_MUTANTS, Mutant
from .test_against_servers import mock_app, report, run_suite

MUTANTS: dict[str, Mutant] = EMQX_V4_MUTANTS | EMQX_V2_MUTANTS | HIVEMQ_MUTANTS | EMQX_V5_MUTANTS
MINIMUM_PER_FAMILY = 10


def test_every_api_family_has_enough_distinct_mutants() -> None:
    per_api = Counter(m.api for m in MUTANTS.values())
    assert set(per_api) == {"/api/v4", "/api/v2", "/api/v1", "/api/v5"}
    assert min(per_api.values()) >= MINIMUM_PER_FAMILY, per_api


def _run(mutant: Mutant, *extra: str):
    focus = [arg for regex in mutant.include for arg in ("--include", regex)]
    with serve(mutant.wrap(mock_app(hivemq_auth=mutant.hivemq_auth))) as base:
        return run_suite(base + mutant.api, *focus, *mutant.extra, *extra, examples=15)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_the_suite_catches_the_mutant(name: str) -> None:
    mutant = MUTANTS[name]
    result = _run(mutant)
    assert "admin:public" not in result.stdout  # credentials are never printed
    if mutant.expect == "not served":
        assert result.returncode == 0, f"{name}: a missing route is no failure\n{report(result)}"
        for regex in mutant.include:
            label = regex.strip("^$")
            assert f"NOT SERVED {label} — not served:" in result.stdout, report(result)
        return
    assert result.returncode == 1, f"{name} went unnoticed:\n{report(result)}"
    if mutant.rules:
        named = [rule for rule in mutant.rules if f"{rule}:" in result.stdout]
        assert named, f"{name} was not caught by {' or '.join(mutant.rules)}:\n{report(result)}"
    assert "Reproduce with" in result.stdout and "curl" in result.stdout


@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n, m in sorted(MUTANTS.items()) if m.expect != "fail"])
def test_a_missing_route_fails_when_every_operation_is_required(name: str) -> None:
    result = _run(MUTANTS[name], "--require-all")
    assert result.returncode == 1, report(result)
    assert "FAIL       GET" in result.stdout and "not served:" in result.stdout
