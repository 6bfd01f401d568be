"""How one profile's event stream becomes verdicts (contract_tests/results.py)."""

from __future__ import annotations

import json
from typing import Any

from mqtt_api_kit.contract_tests.discovery import Discovery
from mqtt_api_kit.contract_tests.results import FAIL, PASS, ProfileRun
from mqtt_api_kit.contract_tests.selection import operations
from mqtt_api_kit.registry import EMQX_V4


def _scenario(app_id: str, failing: bool) -> str:
    """One `ScenarioFinished` event as Schemathesis' NDJSON stream carries it: a look-up of
    the app `app_id` answered by the broker with the list of apps."""
    case_id = f"case-{app_id or 'empty'}"
    uri = f"http://h/api/v4/apps/{app_id}"
    checks = [
        {
            "name": "response_schema_conformance",
            "status": "failure" if failing else "success",
            "failure_info": {"failure": {"title": "Response violates schema", "message": "list"}},
        }
    ]
    recorder: dict[str, Any] = {
        "label": "GET /apps/{appid}",
        "cases": {
            case_id: {
                "value": {
                    "method": "GET",
                    "path": "/apps/{appid}",
                    "path_parameters": {"appid": app_id},
                }
            }
        },
        "checks": {case_id: checks},
        "interactions": {
            case_id: {
                "request": {"method": "GET", "uri": uri, "headers": {}},
                "response": {
                    "status_code": 200,
                    "headers": {"content-type": ["application/json"]},
                    "content": None,
                },
            }
        },
    }
    return json.dumps({"ScenarioFinished": {"recorder": recorder, "status": "success"}})


def _run() -> ProfileRun:
    chosen = [op for op in operations(EMQX_V4) if op.label == "GET /apps/{appid}"]
    assert chosen, "the v4 document looks an app up at /apps/{appid}"
    run = ProfileRun(EMQX_V4, chosen, Discovery())
    run.stop_reason = "completed"
    return run


def test_a_case_with_an_empty_path_value_is_not_judged_as_its_operation() -> None:
    # `/apps/` is the list on EMQX 4 (minirest's tokens): the list's answer says nothing of
    # the look-up, and its "schema violation" is no finding.
    run = _run()
    run.feed(_scenario("", failing=True))
    run.feed(_scenario("admin", failing=False))
    verdict = run.verdicts()["GET /apps/{appid}"]
    assert verdict.kind == PASS, verdict


def test_the_same_failure_with_a_real_path_value_is_a_finding() -> None:
    run = _run()
    run.feed(_scenario("admin", failing=True))
    assert run.verdicts()["GET /apps/{appid}"].kind == FAIL
