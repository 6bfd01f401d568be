"""EMQX 4.x list filters keep only what they say, on values taken from the target.

A schema accepts a broker that ignores `_like_clientid=x` and answers every client. Here a page
of real rows is read first (`_limit=100`); filter values are chosen from it, preferring values
that not every row shares (so an ignored filter shows); then each filtered answer's rows must
satisfy the filter. The filters are the list operation's own query parameters in our document,
read the way `emqx_mgmt_api:qs/2` (4.4.19) reads a name — `_like_X` a substring of X
(`binary:match/2` in `emqx_mgmt_api_clients:run_fuzzy_match/2`), `_gte_X`/`_lte_X` an
inclusive bound on X, any other name an exact match — with the type word of
`x-emqx.filter-type` or of the schema:

* exact and `_like_` filters — every row's field equals / contains the value;
* integer bounds (`mqueue_len`, `mqueue_dropped`) — every row within the bound;
* `timestamp` bounds (`created_at`, `connected_at`: epoch seconds, while rows print local time
  in a zone the suite cannot know) — asked with the same bound both ways, a client in both
  answers must have been created in that very second: rows of different seconds in both mean a
  bound was ignored, whatever the broker's time zone.

Subscription filters whose meaning is not a plain field test are left out: `topic` switches to
another query path and `share` is a prefix test there, `_match_topic` applies MQTT wildcard
rules (`emqx_mgmt_api_subscriptions.erl`).

Churn: each answer is judged on its own rows only — a client that connects or leaves between two
requests changes no verdict, and no row is required to be present.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any

from mqtt_api_kit.openapi.extensions import facts

from ..selection import Operation
from . import ProbeContext, ProbeReport, failure_from, get, json_of

RULE = "filter_semantics"
LISTS = ("listClients", "listNodeClients", "listSubscriptions", "listNodeSubscriptions")
PAGING = frozenset({"_page", "_limit"})
NOT_A_FIELD_TEST = frozenset({"topic", "share", "_match_topic"})
PAGE = 100
Row = dict[str, Any]


def _filters(op: Operation) -> list[tuple[str, str, str, str]]:
    """(parameter, field, operator, type word) of each judged filter, in document order."""
    found = []
    for name, param in op.query_parameters().items():
        if name in PAGING or name in NOT_A_FIELD_TEST:
            continue
        schema_type = (param.get("schema") or {}).get("type")
        word = facts(param, "x-emqx").get("filter-type") or (
            "integer" if schema_type == "integer" else "binary"
        )
        for prefix, operator in (("_like_", "like"), ("_gte_", ">="), ("_lte_", "=<")):
            if name.startswith(prefix):
                found.append((name, name.removeprefix(prefix), operator, str(word)))
                break
        else:
            found.append((name, name, "=", str(word)))
    return found


def _wire(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _rarest(rows: list[Row], key: str) -> Any:
    """The value of `key` fewest rows share (ties: first seen); None when no row has one."""
    values = [r[key] for r in rows if isinstance(r.get(key), (str, int, bool)) and r[key] != ""]
    if not values:
        return None
    counts = Counter(_wire(v) for v in values)
    return min(values, key=lambda v: counts[_wire(v)])


def _substring(rows: list[Row], key: str) -> str | None:
    """A piece of some row's value that not every row contains (else any piece)."""
    values: list[str] = [r[key] for r in rows if isinstance(r.get(key), str) and len(r[key]) >= 3]
    pieces: list[str] = []
    for value in values:
        size = max(3, len(value) // 3)
        start = (len(value) - size) // 2
        pieces.append(value[start : start + size])
    for piece in pieces:
        if any(piece not in v for v in values):
            return piece
    return pieces[0] if pieces else None


def _rows(body: Any) -> list[Row] | None:
    if (
        not isinstance(body, dict)
        or body.get("code") != 0
        or not isinstance(body.get("data"), list)
    ):
        return None
    return [r for r in body["data"] if isinstance(r, dict)]


def _epoch(text: Any) -> int | None:
    try:
        moment = datetime.strptime(str(text), "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
    except ValueError:
        return None
    return int(moment.timestamp())


def _show(row: Row) -> str:
    keys = ("clientid", "username", "topic", "qos", "conn_state", "created_at")
    return "{" + ", ".join(f"{k}: {row[k]!r}" for k in keys if k in row) + "}"


class _Run:
    def __init__(self, ctx: ProbeContext, report: ProbeReport, op: Operation) -> None:
        self.ctx, self.report, self.op = ctx, report, op
        self.checked = 0

    def fetch(self, query: Mapping[str, Any]) -> tuple[str, Any, list[Row] | None]:
        url = self.ctx.target(self.op, {**query, "_limit": PAGE})
        response = get(self.ctx, self.report, url)
        rows = _rows(json_of(response))
        if rows is None and response is not None:
            status = response.status_code
            self.report.notes.append(f"filter probe {self.op.label} {dict(query)}: HTTP {status}")
        return url, response, rows

    def judge(self, name: str, value: Any, keeps: Callable[[Row], bool], wanted: str) -> None:
        if self.ctx.out_of_time():
            return
        url, response, rows = self.fetch({name: _wire(value)})
        if rows is None:
            return
        self.checked += 1
        wrong = [r for r in rows if not keeps(r)]
        if wrong:
            self.report.fail(
                self.op,
                failure_from(
                    RULE,
                    f"`{name}` filter not applied",
                    f"{name}={_wire(value)}: {len(wrong)} of {len(rows)} rows do not have "
                    f"{wanted} (e.g. {_show(wrong[0])})",
                    response,
                    url,
                ),
            )

    def judge_time(self, rows: list[Row], field: str) -> None:
        sample = next((r for r in rows if _epoch(r.get(field)) is not None), None)
        if sample is None or self.ctx.out_of_time():
            return
        bound = _epoch(sample[field])
        _, _, above = self.fetch({f"_gte_{field}": bound})
        url, response, below = self.fetch({f"_lte_{field}": bound})
        if above is None or below is None:
            return
        self.checked += 1
        key = "clientid"
        lower = {r.get(key) for r in below}
        both = {str(r.get(field)) for r in above if r.get(key) in lower}
        if len(both) > 1:
            self.report.fail(
                self.op,
                failure_from(
                    RULE,
                    f"`_gte_{field}`/`_lte_{field}` not applied",
                    f"_gte_{field}={bound} and _lte_{field}={bound} both list clients of "
                    f"{len(both)} different seconds (e.g. {sorted(both)[:3]}); only clients "
                    "of one second can satisfy both",
                    response,
                    url,
                ),
            )


def _contains(field: str, piece: str) -> Callable[[Row], bool]:
    return lambda row: isinstance(row.get(field), str) and piece in row[field]


def _within(field: str, bound: int, at_least: bool) -> Callable[[Row], bool]:
    def keeps(row: Row) -> bool:
        value = row.get(field)
        if not isinstance(value, int):
            return False
        return value >= bound if at_least else value <= bound

    return keeps


def _equals(field: str, wanted: Any) -> Callable[[Row], bool]:
    return lambda row: bool(row.get(field) == wanted)


def _judge_all(run: _Run, rows: list[Row]) -> None:
    timed: set[str] = set()
    for name, field, operator, word in _filters(run.op):
        if operator == "like":
            piece = _substring(rows, field)
            if piece is not None:
                run.judge(name, piece, _contains(field, piece), f"{piece!r} in {field}")
        elif word == "timestamp":
            if field not in timed:
                timed.add(field)
                run.judge_time(rows, field)
        elif operator in (">=", "=<"):
            values = [r[field] for r in rows if isinstance(r.get(field), int)]
            if not values:
                continue
            high, low = max(values), min(values)
            at_least = operator == ">="
            if at_least:
                bound = high if high != low else high + 1  # some sample row must fall outside
            else:
                bound = low if high != low else low - 1
            run.judge(
                name,
                bound,
                _within(field, bound, at_least),
                f"{field} {'≥' if at_least else '≤'} {bound}",
            )
        else:
            value = _rarest(rows, field)
            if value is not None:
                run.judge(name, value, _equals(field, value), f"{field} = {value!r}")


def probe(ctx: ProbeContext, report: ProbeReport) -> None:
    if ctx.api.name != "emqx-v4":
        return
    for operation_id in LISTS:
        op = ctx.by_id(operation_id)
        if op is None or ctx.out_of_time():
            continue
        if ctx.discovery.guessed(op.path_parameters):
            report.notes.append(f"filter probe {op.label}: skipped, no real {{node}} known")
            continue
        run = _Run(ctx, report, op)
        _, _, rows = run.fetch({})
        if not rows:
            report.notes.append(f"filter probe {op.label}: no rows to take values from")
            continue
        _judge_all(run, rows)
        report.notes.append(f"filter probe {op.label}: {run.checked} filters judged on real values")
