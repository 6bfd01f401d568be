"""What one profile's run saw, per operation, read from Schemathesis' NDJSON event stream.

The runner feeds the stream line by line while the run goes on (`ProfileRun.feed`), so its
memory holds one event at a time plus, per operation, counts and the first example of each
distinct failure — never the bodies. Verdicts (`Verdict`) are decided here, after the run:

* PASS — answers arrived and every check held;
* FAIL — a check failed (the rule, what broke, the request that shows it);
* NOT SERVED — see `served.py`; a failure with `--require-all`;
* ERROR — the operation could not be judged: the target stopped answering, an answer exceeded
  the limits, a hook failed; never PASS;
* NOT RUN — no request reached the target (the run was stopped before it).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from mqtt_api_kit.registry import Api

from .discovery import Discovery
from .selection import Operation
from .served import OperationEvidence, classify, describe, documents

__all__ = ["Failure", "OperationResult", "ProfileRun", "Verdict"]

PASS, FAIL, NOT_SERVED, ERROR, NOT_RUN = "PASS", "FAIL", "NOT SERVED", "ERROR", "NOT RUN"
KINDS = (PASS, FAIL, NOT_SERVED, ERROR, NOT_RUN)


def _bytes(value: Any) -> bytes:
    if isinstance(value, dict) and "$base64" in value:
        return base64.b64decode(value["$base64"])
    if isinstance(value, str):
        return value.encode()
    return b""


@dataclass(slots=True)
class Failure:
    rule: str  # the check's name: `status_code_conformance`, `auth_required`…
    title: str  # what broke, in a few words
    message: str  # details
    method: str = ""
    uri: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    status: int | None = None
    answer: str = ""  # the start of the response body
    count: int = 1
    # the credentials of the reproduction: "run" (the run's, from $MQTT_API_AUTH), None (none),
    # or literal made-up ones (a wrong-password probe)
    curl_auth: str | None = "run"

    def summary(self) -> str:
        first = next((line.strip() for line in self.message.splitlines() if line.strip()), "")
        text = f"{self.rule}: {self.title}"
        return f"{text} — {first}" if first and first != self.title else text


@dataclass(slots=True)
class OperationResult:
    operation: Operation
    evidence: OperationEvidence = field(default_factory=OperationEvidence)
    failures: dict[tuple[str, str], Failure] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    skip_reason: str = ""  # why Schemathesis generated nothing for it (in some phase)

    def add_failure(self, failure: Failure) -> None:
        key = (failure.rule, failure.title)
        if key in self.failures:
            self.failures[key].count += failure.count
        else:
            self.failures[key] = failure


@dataclass(frozen=True, slots=True)
class Verdict:
    kind: str
    reason: str = ""
    failures: tuple[Failure, ...] = ()
    guessed: tuple[str, ...] = ()  # path parameters that only got made-up values


class ProfileRun:
    """Aggregates one profile's event stream."""

    def __init__(self, api: Api, chosen: list[Operation], discovery: Discovery) -> None:
        self.api = api
        self.discovery = discovery
        self.results = {op.label: OperationResult(op) for op in chosen}
        for result in self.results.values():
            result.evidence.has_path_parameters = bool(result.operation.path_parameters)
        self.real = {
            key.removeprefix("path."): set(values)
            for source, values in discovery.found.values()
            for key in source.parameters
        }
        self.stop_reason: str | None = None
        self.fatal: list[str] = []
        self.run_errors: list[str] = []  # errors not tied to an operation
        self.interrupted: str | None = None  # set by the runner (budget, crash)
        self.phases: list[str] = []

    # -- reading -------------------------------------------------------------------------------

    def feed(self, line: str) -> None:
        try:
            event = json.loads(line)
        except ValueError:
            return
        if not isinstance(event, dict) or len(event) != 1:
            return
        ((kind, data),) = event.items()
        if not isinstance(data, dict):
            return
        if "recorder" in data:
            self._recorder(data["recorder"])
            label = (data["recorder"] or {}).get("label")
            if data.get("status") == "skip" and label in self.results:
                self.results[label].skip_reason = str(data.get("skip_reason") or "skipped")
        elif kind == "NonFatalError":
            self._error(data)
        elif kind == "FatalError":
            self.fatal.append(_exception_text(data.get("exception")))
        elif kind == "EngineFinished":
            self.stop_reason = data.get("stop_reason")
        elif kind == "PhaseFinished":
            phase = data.get("phase") or {}
            if phase.get("is_enabled") and phase.get("name") in (
                "examples",
                "coverage",
                "fuzzing",
                "stateful",
            ):
                self.phases.append(f"{phase['name']}: {data.get('status')}")

    def _error(self, data: dict[str, Any]) -> None:
        text = _exception_text(data.get("value"))
        result = self.results.get(str(data.get("label")))
        if result is not None:
            if text not in result.errors:
                result.errors.append(text)
        elif text not in self.run_errors:
            self.run_errors.append(text)

    def _recorder(self, recorder: dict[str, Any]) -> None:
        cases = recorder.get("cases") or {}
        checks = recorder.get("checks") or {}
        interactions = recorder.get("interactions") or {}
        for case_id, node in cases.items():
            case = (node or {}).get("value") or {}
            result = self.results.get(f"{case.get('method', '').upper()} {case.get('path', '')}")
            if result is None or _addresses_another_route(case):
                continue
            interaction = interactions.get(case_id) or {}
            response = interaction.get("response")
            if not isinstance(response, dict):
                continue
            body = _bytes(response.get("content"))
            status = int(response.get("status_code") or 0)
            kind = _header(response.get("headers") or {}, "content-type")
            result.evidence.add(self.api, status, body, self._real_values(result, case), kind)
            for check in checks.get(case_id) or ():
                if check.get("status") == "failure":
                    result.add_failure(_failure(check, interaction.get("request") or {}, response))

    def _real_values(self, result: OperationResult, case: dict[str, Any]) -> bool:
        values = case.get("path_parameters") or {}  # recorded percent-encoded (`emqx%40host`)
        return all(
            unquote(str(values.get(p))) in self.real.get(p, ())
            for p in result.operation.path_parameters
        )

    # -- deciding ------------------------------------------------------------------------------

    def verdicts(self, require_all: bool = False) -> dict[str, Verdict]:
        return {label: self._verdict(r, require_all) for label, r in self.results.items()}

    def _verdict(self, result: OperationResult, require_all: bool) -> Verdict:
        guessed = self.discovery.guessed(result.operation.path_parameters)
        evidence = result.evidence
        failures = tuple(result.failures.values())
        if result.errors:
            return Verdict(ERROR, result.errors[0], failures, guessed)
        if evidence.answers == 0:
            why = (
                self.interrupted
                or _stop_text(self.stop_reason)
                or result.skip_reason
                or "no request was sent"
            )
            return Verdict(NOT_RUN, why, (), guessed)
        documented = documents(
            self.api,
            result.operation.definition,
            self.api.not_served.status,
            evidence.sample_type,
            evidence.sample,
        )
        if classify(evidence, documented):
            reason = (
                f"not served: every answer ({evidence.answers}) was "
                f"{describe(self.api, evidence.sample)}, this API's answer for a route it "
                "does not have"
            )
            if not evidence.real_path_values and evidence.has_path_parameters:
                reason += " (path values were made up: it may be served for real ones)"
            return Verdict(FAIL if require_all else NOT_SERVED, reason, (), guessed)
        if failures:
            return Verdict(FAIL, failures[0].summary(), failures, guessed)
        if self.interrupted or self.stop_reason not in (None, "completed"):
            # The run stopped early: what this operation did get passed, but it was not tested
            # as asked (its later phases never ran).
            why = self.interrupted or _stop_text(self.stop_reason)
            return Verdict(ERROR, f"incomplete: {why}", (), guessed)
        return Verdict(PASS, "", (), guessed)

    def incomplete(self) -> str | None:
        """Why this run did not finish as asked (None when it did)."""
        if self.interrupted:
            return self.interrupted
        if self.fatal:
            return "Schemathesis stopped: " + self.fatal[0]
        if self.stop_reason not in (None, "completed"):
            return _stop_text(self.stop_reason)
        if self.stop_reason is None:
            return "the run ended without a result"
        return None


def _addresses_another_route(case: dict[str, Any]) -> bool:
    """A case whose path value is empty (a link from a body whose id was `""`, say) is not a
    request for its operation: `/apps/{app_id}` with `""` is `/apps/`, which EMQX 4 routes as
    the list (minirest drops empty segments) and EMQX 5 as `/apps` (cowboy drops a trailing
    `/`). Its answer is another operation's, so it is neither evidence nor a failure."""
    values = case.get("path_parameters") or {}
    return any(value == "" for value in values.values())


def _stop_text(reason: str | None) -> str:
    return {
        "server_unavailable": "the target stopped answering during the run",
        "interrupted": "the run was interrupted",
        "max_time": "the time budget ran out",
        "failure_limit": "the failure limit was reached",
    }.get(reason or "", reason or "")


def _header(headers: dict[str, Any], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name:
            return str(value[0] if isinstance(value, list) and value else value)
    return ""


def _exception_text(value: Any) -> str:
    if isinstance(value, dict):
        kind, message = value.get("type", ""), value.get("message", "")
        return f"{kind}: {message}" if kind else str(message)
    return str(value)


def _failure(check: dict[str, Any], request: dict[str, Any], response: dict[str, Any]) -> Failure:
    info = ((check.get("failure_info") or {}).get("failure")) or {}
    headers = {
        k: (v[0] if isinstance(v, list) and v else str(v))
        for k, v in (request.get("headers") or {}).items()
    }
    body = request.get("body")
    answer = _bytes(response.get("content"))[:300].decode("utf-8", "replace")
    return Failure(
        rule=str(check.get("name", "?")),
        title=str(info.get("title") or info.get("code") or "check failed"),
        message=str(info.get("message") or ""),
        method=str(request.get("method", "")),
        uri=str(request.get("uri", "")),
        headers=headers,
        body=_bytes(body) if body is not None else None,
        status=response.get("status_code"),
        answer=answer,
    )
