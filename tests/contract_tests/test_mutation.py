"""Mutation testing of the contract suite: it must catch every in-repo mutant.

A mutant is the faithful mock with one contract break (see `mutants.py`). Each is run through
`mqtt-api test` exactly as a user would run it — read-only unless the break is in a write —
and the suite must exit 1 with a reproducible report. Together with the clean runs against the
faithful mock (`test_against_servers.py`) this is the mutation score the README reports.
"""

from __future__ import annotations

from collections import Counter

import pytest

from ..support import serve
from .emqx_v2_mutants import EMQX_V2_MUTANTS
from .hivemq_mutants import HIVEMQ_MUTANTS
from .mutants import EMQX_V4_MUTANTS, Mutant
from .test_against_servers import mock_app, report, run_suite

MUTANTS: dict[str, Mutant] = EMQX_V4_MUTANTS | EMQX_V2_MUTANTS | HIVEMQ_MUTANTS
MINIMUM_PER_FAMILY = 10


def test_every_api_family_has_enough_distinct_mutants() -> None:
    per_api = Counter(m.api for m in MUTANTS.values())
    assert set(per_api) == {"/api/v4", "/api/v2", "/api/v1"}
    assert min(per_api.values()) >= MINIMUM_PER_FAMILY, per_api


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_the_suite_catches_the_mutant(name: str) -> None:
    mutant = MUTANTS[name]
    focus = [arg for regex in mutant.include for arg in ("--include", regex)]
    with serve(mutant.wrap(mock_app())) as base:
        result = run_suite(base + mutant.api, *focus, *mutant.extra, examples=15)
    assert result.returncode == 1, f"{name} went unnoticed:\n{report(result)}"
    assert "Reproduce with" in result.stdout and "curl" in result.stdout
    assert "admin:public" not in result.stdout  # credentials are masked in the report
