"""Checks the suite makes with its own few requests, after the conformance run: what no single
generated request can show.

* `security` — credentials are required: the same GET without them, and with a wrong password,
  is refused with 401 (and `WWW-Authenticate` where the broker sends one);
* `filters` — EMQX 4.x list filters keep only matching rows, on values taken from the target;
* `paging` — page 2 is not page 1 again when the answer says there is more; HiveMQ answers at
  most `limit` clients.

Every probe is a GET, sent only to operations the run selected and the target serves, bounded
in count (a few dozen requests in all) and in time (the run's limits and budget). Findings are
`Failure`s under their own rule names, merged into the conformance verdicts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import requests

from mqtt_api_kit.registry import Api

from ..discovery import Discovery
from ..results import Failure
from ..selection import Operation

__all__ = ["ProbeContext", "ProbeReport", "fill_path", "run_probes"]


@dataclass
class ProbeContext:
    api: Api
    url: str  # the API base URL
    http: requests.Session  # the run's credentials and limits
    operations: list[Operation]  # selected, served, GET
    discovery: Discovery
    auth: tuple[str, str] | None  # the run's credentials (None: an open API)
    session: Callable[[tuple[str, str] | None], requests.Session]  # same limits, other creds
    out_of_time: Callable[[], bool] = lambda: False

    def by_id(self, operation_id: str) -> Operation | None:
        return next((op for op in self.operations if op.operation_id == operation_id), None)

    def target(self, op: Operation, query: dict[str, Any] | None = None) -> str:
        url = self.url.rstrip("/") + fill_path(op, self.discovery)
        return url + ("?" + urlencode(query) if query else "")


@dataclass
class ProbeReport:
    failures: dict[str, list[Failure]] = field(default_factory=dict)  # label → findings
    notes: list[str] = field(default_factory=list)  # what was probed, what could not be
    requests: int = 0

    def fail(self, op: Operation, failure: Failure) -> None:
        self.failures.setdefault(op.label, []).append(failure)


def fill_path(op: Operation, discovery: Discovery) -> str:
    """The operation's path with a real value for each parameter where discovery found one,
    else the document's example (else `example`)."""
    path = op.path
    examples = {
        p.get("name"): p.get("example", (p.get("schema") or {}).get("example"))
        for p in op.parameters
    }
    real = {
        key.removeprefix("path."): values[0]
        for source, values in discovery.found.values()
        for key in source.parameters
        if values
    }
    for name in op.path_parameters:
        value = real.get(name) or examples.get(name) or "example"
        path = path.replace("{" + name + "}", quote(str(value), safe=""))
    return path


def spread(items: list[Any], count: int) -> list[Any]:
    """At most `count` items, evenly spaced over the list (deterministic)."""
    if len(items) <= count:
        return list(items)
    step = len(items) / count
    return [items[int(i * step)] for i in range(count)]


def run_probes(
    ctx: ProbeContext, kinds: Iterable[str] = ("security", "filters", "paging")
) -> ProbeReport:
    from . import filters, paging, security

    report = ProbeReport()
    modules = {"security": security, "filters": filters, "paging": paging}
    for kind in kinds:
        if ctx.out_of_time():
            report.notes.append(f"{kind} probes skipped: the time budget ran out")
            continue
        modules[kind].probe(ctx, report)
    return report


def failure_from(
    rule: str,
    title: str,
    message: str,
    response: requests.Response | None,
    url: str,
    curl_auth: str | None = "run",
) -> Failure:
    status = response.status_code if response is not None else None
    answer = response.content[:300].decode("utf-8", "replace") if response is not None else ""
    return Failure(
        rule=rule,
        title=title,
        message=message,
        method="GET",
        uri=url,
        status=status,
        answer=answer,
        curl_auth=curl_auth,
    )


def get(
    ctx: ProbeContext, report: ProbeReport, url: str, http: requests.Session | None = None
) -> requests.Response | None:
    """One probe GET; None when the target did not answer usably (noted, never a finding)."""
    report.requests += 1
    try:
        return (http or ctx.http).get(url)
    except requests.RequestException as exc:
        report.notes.append(f"GET {url}: no usable answer ({type(exc).__name__}: {exc})")
        return None


def json_of(response: requests.Response | None) -> Any:
    if response is None or response.status_code != 200:
        return None
    try:
        return response.json()
    except ValueError:
        return None
