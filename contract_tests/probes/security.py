"""Credentials are required, and only the right ones open the API.

For a sample of the served GET operations (at most `SAMPLES`, spread over the API), the same
request is sent without credentials and with the run's user and a wrong password. Each must be
refused with 401 — a broker with authentication switched off, or one that accepts any
password, passes every schema check, so only this shows it. Where the broker sends a challenge
(`Api.challenges`: minirest's `Basic Realm="minirest-server"`, 2.3's `Basic Realm="emqx control
center"`), a 401 without `WWW-Authenticate` is a finding too (RFC 9110 §15.5.2 requires it).

Runs only when the run itself has credentials: an open API (HiveMQ's default) has nothing to
check unless `--auth` says it is protected. Operations our document declares open
(`security: []`: EMQX 4's `GET /emqx_prometheus`, which `emqx_mgmt_http:authorize_appid/3`
lets through without credentials by exact path — emqx_mgmt_http.erl:137 in v4.4.19 — and the
dashboard's login) are never sampled: a broker answering them without credentials is right.
"""

from __future__ import annotations

from ..selection import Operation
from . import ProbeContext, ProbeReport, failure_from, get, spread

SAMPLES = 12
RULE = "auth_required"
CHALLENGE_RULE = "auth_challenge"
WRONG = "mqtt-api-wrong-password"


def protected(operations: list[Operation]) -> list[Operation]:
    """The operations whose credentials can be withheld: all but those the document opens with
    an empty `security` list of their own (a document-level `- {}` alternative, HiveMQ's, says
    only that a listener may run without auth, which the run's `--auth` has settled)."""
    return [op for op in operations if op.definition.get("security", None) != []]


def probe(ctx: ProbeContext, report: ProbeReport) -> None:
    if ctx.auth is None:
        report.notes.append("security probes: off (the run has no credentials to withhold)")
        return
    user, password = ctx.auth
    # A wrong password unrelated to the real one: it is printed in the reproduction line.
    wrong = (user, WRONG if password != WRONG else WRONG + "-2")
    anonymous, impostor = ctx.session(None), ctx.session(wrong)
    sample = spread(protected(ctx.operations), SAMPLES)
    for op in sample:
        if ctx.out_of_time():
            report.notes.append("security probes: stopped, the time budget ran out")
            return
        url = ctx.target(op)
        unchallenged = []
        for http, what, curl_auth in (
            (anonymous, "without credentials", None),
            (impostor, "with a wrong password", f"{wrong[0]}:{wrong[1]}"),
        ):
            response = get(ctx, report, url, http)
            if response is None:
                continue
            if response.status_code != 401:
                report.fail(
                    op,
                    failure_from(
                        RULE,
                        f"a request {what} was not refused",
                        f"GET {op.path} {what} answered HTTP {response.status_code}; "
                        "expected 401 Unauthorized",
                        response,
                        url,
                        curl_auth,
                    ),
                )
            elif ctx.api.challenges and "WWW-Authenticate" not in response.headers:
                unchallenged.append((what, response, curl_auth))
        if unchallenged:
            what, response, curl_auth = unchallenged[0]
            report.fail(
                op,
                failure_from(
                    CHALLENGE_RULE,
                    "401 without WWW-Authenticate",
                    f"GET {op.path} {' and '.join(w for w, _, _ in unchallenged)}: the 401 "
                    f"carries no WWW-Authenticate header, which {ctx.api.title} sends "
                    "(and HTTP requires)",
                    response,
                    url,
                    curl_auth,
                ),
            )
    report.notes.append(
        f"security probes: {len(sample)} operations, each without credentials and with a "
        "wrong password"
    )
