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
* every answer is, but all path values were made up → not served unless the operation
  documents that answer (its status, with the same media type — or no body where it documents
  none): then it is read as the operation's own "not found" and judged as usual. The document
  decides, not the checks of the profile: the robustness profile takes any 4xx for a rejection,
  so its checks would call every missing route served.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mqtt_api_kit.openapi import document
from mqtt_api_kit.openapi.operations import resolve
from mqtt_api_kit.registry import Api, NotServed

__all__ = ["OperationEvidence", "classify", "describe", "documents", "is_not_served"]


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
    sample_type: str = ""  # its Content-Type ("" without one)

    def add(
        self, api: Api, status: int, body: bytes, real_values: bool, content_type: str = ""
    ) -> None:
        self.answers += 1
        if is_not_served(api.not_served, status, body):
            self.not_served += 1
            if self.not_served == 1:  # the first one stands for them all
                self.sample, self.sample_type = body[:200], content_type
            if real_values:
                self.real_path_values = True


def documents(
    api: Api, definition: Mapping[str, Any], status: int, content_type: str, body: bytes
) -> bool:
    """Whether the operation documents this answer: its status (or class, or `default`) with
    the answer's media type, or without content where the answer has no body."""
    responses = definition.get("responses") or {}
    code = str(status)
    found = responses.get(code) or responses.get(f"{code[0]}XX") or responses.get("default")
    if found is None:
        return False
    content = resolve(document(api.document), found).get("content") or {}
    if not content:
        return not body.strip()
    media = content_type.split(";")[0].strip().lower()
    return any(m == "*/*" or m.lower() == media for m in content)


def classify(evidence: OperationEvidence, documented: bool) -> bool:
    """True when the operation is not served (see the module docstring); `documented`: whether
    the operation documents the not-served answer it got (`documents`)."""
    if evidence.answers == 0 or evidence.not_served != evidence.answers:
        return False
    if evidence.real_path_values or not evidence.has_path_parameters:
        return True
    return not documented
