"""Our documents in Schemathesis' own pytest embedding, judged as the suite judges them.

    from mqtt_api_kit.contract_tests.embedding import load

    schema = load("emqx-v4", "http://broker:8081/api/v4", auth=("app", "secret"))

    @schema.parametrize()
    def test_emqx(case):
        case.call_and_validate()

Schemathesis' documented embedding (`from_path` + `call_and_validate()`) runs every check it
has, and three of them judge what EMQX does on purpose as faults: a request the document calls
invalid answered HTTP 200 with a business `code` (`negative_data_rejection`), the coverage
phase's requests without the `Authorization` header (`missing_required_header`), and response
schemas applied to invalid requests. `load` applies a profile's choice instead: its data mode,
phases and checks (`profiles.py`, ours included), no write operation unless `allow_writes`
(an exclusion, so a later `.include(...)` narrows the selection and never widens it),
undeclared methods probed only with safe ones, credentials never treated as test data.

This is the thin embedding; the pytest plugin (`pytest --mqtt-api-target URL`,
`pytest_plugin.py`) adds what needs the whole run: discovery, not-served verdicts, the probes,
the transport limits.
"""

from __future__ import annotations

from typing import Any

from mqtt_api_kit.openapi import document_path
from mqtt_api_kit.registry import APIS

from .profiles import PROFILES

__all__ = ["load"]

SAFE_PROBES = {"get", "options", "trace", "query"}


def load(
    api: str,
    base_url: str,
    profile: str = "conformance",
    auth: tuple[str, str] | None = None,
    allow_writes: bool = False,
) -> Any:
    """A Schemathesis schema of the API's document, set up as the suite's `profile`."""
    import schemathesis
    from schemathesis.generation import GenerationMode
    from schemathesis.schemas import BaseSchema

    from . import checks  # noqa: F401  (registers our checks and the read-only guard)
    from .checks import safety

    entry = APIS[api]
    chosen = PROFILES[profile]
    with document_path(entry.document) as path:
        schema: BaseSchema = schemathesis.openapi.from_path(str(path))
    config = schema.config
    config.update(base_url=base_url.rstrip("/"), basic_auth=auth)
    config.checks.update(included_check_names=list(chosen.checks_for(entry)))
    mode = GenerationMode(chosen.mode)  # "positive" or "negative", the profile's data mode
    config.generation.update(modes=[mode], with_security_parameters=False)
    if not allow_writes:
        config.phases.coverage.unexpected_methods = set(SAFE_PROBES)
        safety.enforce(True)
        schema = schema.exclude(method=sorted(safety.WRITE_METHODS))  # ANDs with later filters
    return schema
