"""EMQ 2.3 specifics of the contract suite: the paging rules and their wiring. Green-on-mock
and red-on-mutant runs for every API are in `test_against_servers.py` and `test_mutation.py`."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from mqtt_api_kit.contract_tests.checks.emqx_v2 import paging_problems
from mqtt_api_kit.contract_tests.profiles import PROFILES
from mqtt_api_kit.registry import EMQX_V2, EMQX_V4

SPEC = Path(__file__).resolve().parents[2] / "openapi" / "emqx-v2.yaml"
V2_CHECKS = ("emqx_business_code", "emqx_v2_paging")


def test_runner_profiles_enable_the_v2_paging_check() -> None:
    assert set(V2_CHECKS) <= set(EMQX_V2.checks)
    assert "emqx_v2_paging" in PROFILES["conformance"].checks_for(EMQX_V2)
    assert "emqx_v2_paging" not in PROFILES["conformance"].checks_for(EMQX_V4)


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
