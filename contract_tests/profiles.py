"""What each profile asks of Schemathesis: data mode, phases, and the checks that judge.

* conformance — valid requests only; every response checked against the document.
* robustness  — invalid and fuzzed input; the API must reject it its own way (EMQX: HTTP 200
  with a non-zero `code`, or a documented 4xx; HiveMQ: a 4xx with `errors[]`). Any 5xx is
  reported as a broker defect.
* stateful    — sequences through the documents' OpenAPI links (create → read → delete).
"""

from __future__ import annotations

from dataclasses import dataclass

RESPONSE_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
)
# Our own checks (contract_tests/checks); each ignores responses of other API families.
API_CHECKS = (
    "emqx_business_code",
    "emqx_paging_meta",
)
ROBUSTNESS_CHECKS = ("not_a_server_error", "rejects_invalid_input")


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    mode: str
    phases: str
    checks: tuple[str, ...]


PROFILES = {
    "conformance": Profile(
        "conformance", "positive", "examples,coverage,fuzzing", RESPONSE_CHECKS + API_CHECKS
    ),
    "robustness": Profile("robustness", "negative", "coverage,fuzzing", ROBUSTNESS_CHECKS),
    "stateful": Profile("stateful", "positive", "stateful", RESPONSE_CHECKS + API_CHECKS),
}
