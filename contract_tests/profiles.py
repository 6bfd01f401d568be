"""What each profile asks of Schemathesis: data mode, phases, and the checks that judge.

* conformance — valid requests only; every response checked against the document.
* robustness  — invalid and fuzzed input; the API must reject it its own way (EMQX: HTTP 200
  with a non-zero `code`, or a documented 4xx; HiveMQ: a 4xx with `errors[]`). Any 5xx is
  reported as a broker defect.
* stateful    — sequences through the documents' OpenAPI links (create → read → delete).
"""

from __future__ import annotations

from dataclasses import dataclass

from mqtt_api_kit.registry import Api

__all__ = ["PROFILES", "RESPONSE_CHECKS", "ROBUSTNESS_CHECKS", "Profile"]

RESPONSE_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
)
ROBUSTNESS_CHECKS = ("not_a_server_error", "rejects_invalid_input")


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    mode: str
    phases: str
    checks: tuple[str, ...]
    api_checks: bool  # add the API's own checks (`Api.checks`: they judge valid requests only)

    def checks_for(self, api: Api) -> tuple[str, ...]:
        return self.checks + (api.checks if self.api_checks else ())


PROFILES = {
    "conformance": Profile(
        "conformance", "positive", "examples,coverage,fuzzing", RESPONSE_CHECKS, True
    ),
    "robustness": Profile("robustness", "negative", "coverage,fuzzing", ROBUSTNESS_CHECKS, False),
    "stateful": Profile("stateful", "positive", "stateful", RESPONSE_CHECKS, True),
}
