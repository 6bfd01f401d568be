"""EMQX 4.x list filters keep only what they say, on values taken from the target.

A schema accepts a broker that ignores `_like_clientid=x` and answers every client. Here a page
of real rows is read first (`_limit=100`); filter values are chosen from it, preferring values
that not every row shares (so an ignored filter shows); then each filtered answer's rows must
satisfy the filter, as `emqx_mgmt_api_clients:run_fuzzy_match/2` and the match specs of
`emqx_mgmt_api:params2qs/2` (4.4.19) apply them:

* exact fields (`clientid`, `username`, `zone`, `conn_state`, `clean_start`, `proto_name`,
  `proto_ver`; subscriptions: `clientid`, `qos`) — every row equals the value;
* `_like_clientid`, `_like_username` — a substring (`binary:match/2`) of every row's field;
* `_gte_/_lte_mqueue_len`, `…_mqueue_dropped` — every row within the bound;
* `_gte_/_lte_created_at`, `…_connected_at` (epoch seconds; rows print local time, whose zone
  the suite cannot know) — asked with the same bound both ways, a client in both answers must
  have been created in that very second: rows of different seconds in both mean a bound was
  ignored, whatever the broker's time zone.

Churn: each answer is judged on its own rows only — a client that connects or leaves between two
requests changes no verdict, and no row is required to be present.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..selection import Operation
from . import ProbeContext, ProbeReport, failure_from, get, json_of

RULE = "filter_semantics"
CLIENT_OPS = ("listClients", "listNodeClients")
SUBSCRIPTION_OPS = ("listSubscriptions", "listNodeSubscriptions")
CLIENT_EXACT = (
    "clientid",
    "username",
    "zone",
    "conn_state",
    "clean_start",
    "proto_name",
    "proto_ver",
)
SUBSCRIPTION_EXACT = ("clientid", "qos")
LIKE = ("clientid", "username")
RANGES = ("mqueue_len", "mqueue_dropped")
TIMES = ("created_at", "connected_at")
PAGE = 100


def _wire(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _rarest(rows: list[dict[str, Any]], key: str) -> Any:
    """The value of `key` fewest rows share (ties: first seen); None when no row has one."""
    values = [r[key] for r in rows if isinstance(r.get(key), (str, int, bool)) and r.get(key) != ""]
    if not values:
        return None
    counts = Counter(_wire(v) for v in values)
    return min(values, key=lambda v: counts[_wire(v)])


def _substring(rows: list[dict[str, Any]], key: str) -> str | None:
    """A piece of some row's value that not every row contains (else any piece)."""
    values = [r[key] for r in rows if isinstance(r.get(key), str) and len(r[key]) >= 3]
    pieces = []
    for value in values:
        size = max(3, len(value) // 3)
        start = (len(value) - size) // 2
        pieces.append(value[start : start + size])
    for piece in pieces:
        if any(piece not in v for v in values):
            return piece
    return pieces[0] if pieces else None


def _rows(body: Any) -> list[dict[str, Any]] | None:
    if (
        not isinstance(body, dict)
        or body.get("code") != 0
        or not isinstance(body.get("data"), list)
    ):
        return None
    return [r for r in body["data"] if isinstance(r, dict)]


class _Run:
    def __init__(self, ctx: ProbeContext, report: ProbeReport, op: Operation) -> None:
        self.ctx, self.report, self.op = ctx, report, op
        self.checked = 0

    def fetch(self, query: dict[str, Any]) -> tuple[str, Any, list[dict[str, Any]] | None]:
        url = self.ctx.target(self.op, {**query, "_limit": PAGE})
        response = get(self.ctx, self.report, url)
        rows = _rows(json_of(response))
        if rows is None and response is not None:
            status = response.status_code
            self.report.notes.append(
                f"filter probe {self.op.label} {query}: HTTP {status}, no rows"
            )
        return url, response, rows

    def judge(self, query: dict[str, Any], keeps: Any, wanted: str) -> None:
        if self.ctx.out_of_time():
            return
        url, response, rows = self.fetch(query)
        if rows is None:
            return
        self.checked += 1
        wrong = [r for r in rows if not keeps(r)]
        if wrong:
            (name, value), *_ = query.items()
            self.report.fail(
                self.op,
                failure_from(
                    RULE,
                    f"`{name}` filter not applied",
                    f"{name}={value}: {len(wrong)} of {len(rows)} rows do not have {wanted} "
                    f"(e.g. {_show(wrong[0])})",
                    response,
                    url,
                ),
            )


def _show(row: dict[str, Any]) -> str:
    keys = ("clientid", "username", "topic", "qos", "conn_state", "created_at")
    return "{" + ", ".join(f"{k}: {row[k]!r}" for k in keys if k in row) + "}"


def _epoch(text: Any) -> int | None:
    from datetime import datetime, timezone

    try:
        moment = datetime.strptime(str(text), "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
    except ValueError:
        return None
    return int(moment.timestamp())


def _judge_time(run: _Run, rows: list[dict[str, Any]], key: str) -> None:
    sample = next((r for r in rows if _epoch(r.get(key)) is not None and "clientid" in r), None)
    if sample is None or run.ctx.out_of_time():
        return
    bound = _epoch(sample[key])
    _, _, above = run.fetch({f"_gte_{key}": bound})
    url_lte, response, below = run.fetch({f"_lte_{key}": bound})
    if above is None or below is None:
        return
    run.checked += 1
    lower = {r.get("clientid"): r.get(key) for r in below}
    both = {r.get(key) for r in above if r.get("clientid") in lower}
    if len(both) > 1:
        run.report.fail(
            run.op,
            failure_from(
                RULE,
                f"`_gte_{key}`/`_lte_{key}` not applied",
                f"_gte_{key}={bound} and _lte_{key}={bound} both list clients of "
                f"{len(both)} different seconds (e.g. {sorted(map(str, both))[:3]}); only "
                "clients of one second can satisfy both",
                response,
                url_lte,
            ),
        )


def _probe_clients(run: _Run, rows: list[dict[str, Any]]) -> None:
    for key in CLIENT_EXACT:
        value = _rarest(rows, key)
        if value is not None:
            run.judge(
                {key: _wire(value)}, lambda r, k=key, v=value: r.get(k) == v, f"{key} = {value!r}"
            )
    for key in LIKE:
        piece = _substring(rows, key)
        if piece is not None:
            run.judge(
                {f"_like_{key}": piece},
                lambda r, k=key, p=piece: isinstance(r.get(k), str) and p in r[k],
                f"{piece!r} in {key}",
            )
    for key in RANGES:
        values = [r[key] for r in rows if isinstance(r.get(key), int)]
        if not values:
            continue
        high, low = max(values), min(values)
        gte = high if high != low else high + 1  # some sample row must fall outside
        lte = low if high != low else low - 1
        run.judge(
            {f"_gte_{key}": gte},
            lambda r, k=key, b=gte: isinstance(r.get(k), int) and r[k] >= b,
            f"{key} ≥ {gte}",
        )
        run.judge(
            {f"_lte_{key}": lte},
            lambda r, k=key, b=lte: isinstance(r.get(k), int) and r[k] <= b,
            f"{key} ≤ {lte}",
        )
    for key in TIMES:
        _judge_time(run, rows, key)


def _probe_subscriptions(run: _Run, rows: list[dict[str, Any]]) -> None:
    for key in SUBSCRIPTION_EXACT:
        value = _rarest(rows, key)
        if value is not None:
            run.judge(
                {key: _wire(value)}, lambda r, k=key, v=value: r.get(k) == v, f"{key} = {value!r}"
            )


def probe(ctx: ProbeContext, report: ProbeReport) -> None:
    if ctx.api.name != "emqx-v4":
        return
    for ids, judge in ((CLIENT_OPS, _probe_clients), (SUBSCRIPTION_OPS, _probe_subscriptions)):
        for operation_id in ids:
            op = ctx.by_id(operation_id)
            if op is None or ctx.out_of_time():
                continue
            if ctx.discovery.guessed(op.path_parameters):
                report.notes.append(f"filter probe {op.label}: skipped, no real {{node}} known")
                continue
            run = _Run(ctx, report, op)
            _, _, rows = run.fetch({})
            if not rows:
                report.notes.append(
                    f"filter probe {op.label}: no rows on the target to take values from"
                )
                continue
            judge(run, rows)
            report.notes.append(
                f"filter probe {op.label}: {run.checked} filters judged on real values"
            )
