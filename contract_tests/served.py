"""Whether a target serves an operation at all.

A broker that implements part of an API (NanoMQ's EMQX-shaped `/api/v4`, an EMQX node with a
plugin stopped) answers the rest with its "no such route" answer (`Api.not_served`). Those
operations are *not served*: their own category, never a pass and never a failure (unless the
run asks for every operation, `--require-all`).

One answer does not decide it. The same bytes can mean "no such object": the mock and EMQX
answer an unknown node name in `/nodes/{node}/…` with 404 `Not found.`, exactly as they answer
a route that does not exist. So the verdict is per operation, over all its answers
(`classify`):

* some answer is not the not-served answer → served (the usual verdict);
* every answer is, and at least one request used only real path values (discovered on the
  target) or the operation has no path parameters → not served;
* every answer is, but all path values were made up → not served only when those answers
  break the contract (the route's own documented not-found answer looks different); when they
  conform, the answer is read as the operation's documented "not found" and judged as usual.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from mqtt_api_kit.registry import Api, NotServed

__all__ = ["OperationEvidence", "classify", "describe", "is_not_served"]


def is_not_served(rule: NotServed, status: int, body: bytes) -> bool:
    """Whether one answer is this API's "no such route" answer."""
    if status != rule.status:
        return False
    if not rule.bodies and rule.json_code is None:
        return True  # any answer with this status (HiveMQ's 404)
    if body.strip() in rule.bodies:
        return True
    if rule.json_code is not None:
        try:
            parsed = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return False
        return isinstance(parsed, dict) and parsed.get("code") == rule.json_code
    return False


def describe(api: Api, body: bytes) -> str:
    """How the not-served answer looked, for the report: `404 {"code":102}`."""
    shown = body.strip()[:60].decode("utf-8", "replace")
    return f"{api.not_served.status} {shown!r}" if shown else f"{api.not_served.status} (empty)"


@dataclass(slots=True)
class OperationEvidence:
    """What a run saw of one operation (counted as answers arrive)."""

    answers: int = 0
    not_served: int = 0
    real_path_values: bool = False  # some request used discovered values for every path parameter
    has_path_parameters: bool = False
    sample: bytes = b""  # one not-served body, for the report

    def add(self, api: Api, status: int, body: bytes, real_values: bool) -> None:
        self.answers += 1
        if is_not_served(api.not_served, status, body):
            self.not_served += 1
            if not self.sample:
                self.sample = body[:200]
            if real_values:
                self.real_path_values = True


def classify(evidence: OperationEvidence, contract_broken: bool) -> bool:
    """True when the operation is not served (see the module docstring)."""
    if evidence.answers == 0 or evidence.not_served != evidence.answers:
        return False
    if evidence.real_path_values or not evidence.has_path_parameters:
        return True
    return contract_broken
