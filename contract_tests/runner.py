"""Run the contract suite against any base URL: `mqtt-api test URL` / `make test TARGET=URL`.

A layer over `schemathesis run`: it picks the document from the URL's base path, checks the
target is reachable and accepts the credentials, reads real identifiers from it, selects the
operations (`selection.py`; read-only unless writes are allowed), runs each profile in a child
process (`child.py`: Schemathesis behind the transport guard), reads the child's event stream
as it comes (`results.py`), adds its own probes (`probes/`), and ends with one verdict per
operation (`report.py`).

Exit status, in every case:
  0  every selected operation passed (or is not served, without --require-all)
  1  a contract violation (a FAIL row), the run being complete
  2  the run could not be made as asked: a usage error, an unreachable target, refused
     credentials, a target that stopped answering or broke the limits mid-run, the time budget
     spent, the run interrupted (Ctrl-C, SIGTERM: the Schemathesis child is stopped too) —
     operations that could not be judged are ERROR or NOT RUN, never PASS
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from importlib.resources import files
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

from mqtt_api_kit.openapi import document_path
from mqtt_api_kit.registry import APIS, Api, detect

from .checks.safety import READ_ONLY_ENV
from .discovery import Discovery, as_toml, discover
from .guard import (
    AUTH_ENV,
    DEFAULT_MAX_BYTES,
    DEFAULT_TIMEOUT,
    LIMITS_ENV,
    PUBLIC_ENV,
    Limits,
    Masker,
    guarded_session,
    split_auth,
)
from .preflight import PreflightError, check_target
from .probes import ProbeContext, run_probes
from .profiles import PROFILES, Profile
from .report import ProfileVerdicts, Replay, render, write_junit
from .results import ERROR, FAIL, NOT_RUN, NOT_SERVED, ProfileRun, Verdict
from .selection import Operation, SelectionError, name_regex, select

__all__ = [
    "Outcome",
    "Settings",
    "build_parser",
    "execute",
    "exit_code",
    "main",
    "schemathesis_argv",
    "write_config",
]

HOOKS = "mqtt_api_kit.contract_tests.checks"
DEFAULT_BUDGET = 3600.0
POLL = 0.2  # seconds between reads of the child's event stream


def base_config() -> str:
    """Our Schemathesis settings (`schemathesis.toml`, package data)."""
    return files(__package__ or __name__).joinpath("schemathesis.toml").read_text("utf-8")


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").lower() in ("1", "true", "yes")


def _size(text: str) -> int:
    units = {"k": 1024, "m": 1024**2, "g": 1024**3}
    value = text.strip().lower().removesuffix("ib").removesuffix("b")
    if value and value[-1] in units:
        return int(float(value[:-1]) * units[value[-1]])
    return int(value)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="mqtt-api test",
        description="Check a broker management API (or the mock) against the OpenAPI documents.",
    )
    p.add_argument("url", help="API base URL, e.g. http://127.0.0.1:8081/api/v4")
    p.add_argument("--api", choices=sorted(APIS), help="override detection from the URL path")
    p.add_argument(
        "--profile",
        action="append",
        choices=sorted(PROFILES),
        help="conformance (default), robustness, stateful; repeat to run several",
    )
    creds = p.add_argument_group("credentials (never printed, never on a command line we start)")
    creds.add_argument(
        "--auth",
        default=os.environ.get(AUTH_ENV) or os.environ.get("AUTH") or None,
        help=f"USER:PASS for HTTP Basic (env {AUTH_ENV} or AUTH); default: the broker's default",
    )
    creds.add_argument("--no-auth", action="store_true", help="send no credentials")
    p.add_argument(
        "--allow-destructive",
        action="store_true",
        default=_env_flag("ALLOW_DESTRUCTIVE"),
        help="also send POST/PUT/DELETE (env ALLOW_DESTRUCTIVE=1)",
    )
    p.add_argument(
        "--require-all",
        action="store_true",
        help="an operation the target does not serve is a failure, not 'not served'",
    )
    sel = p.add_argument_group("selection")
    sel.add_argument(
        "--include",
        action="append",
        default=[],
        metavar="REGEX",
        help="only operations whose 'METHOD /path' matches (repeatable: any of them)",
    )
    sel.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="REGEX",
        help="skip operations whose 'METHOD /path' matches (repeatable: any of them)",
    )
    sel.add_argument("--include-operation-id", action="append", default=[], metavar="ID")
    sel.add_argument("--exclude-operation-id", action="append", default=[], metavar="ID")
    sel.add_argument(
        "--no-probes",
        action="store_true",
        help="skip the security, filter and paging probes of the conformance profile",
    )
    speed = p.add_argument_group("speed and limits")
    speed.add_argument(
        "--max-examples",
        type=int,
        default=int(os.environ.get("MAX_EXAMPLES", 25)),
        help="test cases per operation and phase (default 25)",
    )
    speed.add_argument(
        "--workers",
        default=os.environ.get("WORKERS", "1"),
        help="concurrent workers (a number or 'auto')",
    )
    speed.add_argument("--seed", type=int, default=None, help="Hypothesis seed, for replay")
    speed.add_argument(
        "--max-response-size",
        type=_size,
        default=DEFAULT_MAX_BYTES,
        metavar="BYTES",
        help="refuse answers larger than this, inflated (default 10MiB; k/M/G suffixes)",
    )
    speed.add_argument(
        "--request-timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"total time one answer may take, headers to last byte (default {DEFAULT_TIMEOUT:g})",
    )
    speed.add_argument(
        "--budget",
        type=float,
        default=float(os.environ.get("BUDGET", DEFAULT_BUDGET)),
        metavar="SECONDS",
        help=f"time for the whole run; past it the run stops, exit 2 (default {DEFAULT_BUDGET:g})",
    )
    rep = p.add_argument_group("reports")
    rep.add_argument("--junit", default=os.environ.get("JUNIT") or None, help="JUnit XML path")
    rep.add_argument("--har", default=os.environ.get("HAR") or None, help="HAR cassette path")
    rep.add_argument("--vcr", default=os.environ.get("VCR") or None, help="VCR cassette path")
    rep.add_argument(
        "--verbose", action="store_true", help="also show Schemathesis' own output, as it runs"
    )
    p.add_argument("--no-preflight", action="store_true", help="skip the reachability check")
    p.add_argument(
        "--no-discovery",
        action="store_true",
        help="do not read real node names and client ids from the target first",
    )
    return p


class Budget:
    """The run's time: everything the runner starts gets at most what is left."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def spent(self) -> bool:
        return self.remaining() <= 0

    def reason(self) -> str:
        return f"the time budget of {self.seconds:g} s ran out (--budget)"


@dataclass
class Settings:
    """One run, decided once from the command line and the environment."""

    args: argparse.Namespace
    api: Api
    url: str  # without credentials
    auth: tuple[str, str] | None
    masker: Masker
    chosen: list[Operation]
    seed: int
    budget: Budget
    discovery: Discovery = field(default_factory=Discovery)

    def limits(self) -> Limits:
        total = max(0.5, min(self.args.request_timeout, self.budget.remaining()))
        return Limits(self.args.max_response_size, total)

    def session(self, auth: tuple[str, str] | None) -> requests.Session:
        """A session with these credentials and the run's limits (what is left of the budget)."""
        return guarded_session(self.limits(), auth, self.masker)

    def run_session(self) -> requests.Session:
        return self.session(self.auth)

    def replay(self) -> Replay:
        return Replay(
            self.url,
            self.args.api,
            self.seed,
            self.args.max_examples,
            self.args.allow_destructive,
            self.auth is not None,
        )


def credentials(
    args: argparse.Namespace, api: Api, url_auth: tuple[str, str] | None
) -> tuple[str, str] | None:
    if args.no_auth:
        return None
    return split_auth(args.auth) or url_auth or api.default_auth


def _strip_userinfo(url: str) -> tuple[str, tuple[str, str] | None]:
    """Credentials written into the URL are taken out of it (they would be printed with it)."""
    parts = urlsplit(url)
    if parts.username is None:
        return url, None
    host = parts.hostname or ""
    netloc = host + (f":{parts.port}" if parts.port else "")
    from urllib.parse import unquote

    auth = (unquote(parts.username), unquote(parts.password or ""))
    return urlunsplit(parts._replace(netloc=netloc)), auth


# In a read-only run the coverage phase may probe undeclared methods only with these.
READ_ONLY_PROBES = (
    '\n[phases.coverage]\nunexpected-methods = ["get", "options", "trace", "query"]\n'
)


def write_config(args: argparse.Namespace, directory: Path, discovered: str = "") -> Path:
    """The run's Schemathesis config: ours, the read-only limits when writes are off, and the
    identifiers discovered on the target."""
    text = base_config()
    if not args.allow_destructive:
        text += READ_ONLY_PROBES
    text += discovered
    path = directory / "schemathesis.toml"
    path.write_text(text)
    return path


def _per_profile(path: str | None, profile: str, several: bool) -> Path | None:
    if not path:
        return None
    target = Path(path).resolve()
    return target.with_name(f"{target.stem}.{profile}{target.suffix}") if several else target


def schemathesis_argv(
    settings: Settings,
    profile: Profile,
    events: Path,
    config: Path | None = None,
    document: Path | None = None,
    several: bool = False,
) -> list[str]:
    """The child's arguments. No credentials among them: the guard adds those on the wire."""
    args, api = settings.args, settings.api
    argv = [
        "--no-color", *(["--config-file", str(config)] if config else []),
        "run", str(document or api.document),
        "--url", settings.url.rstrip("/"),
        "--mode", profile.mode,
        "--phases", profile.phases,
        "--checks", ",".join(profile.checks_for(api)),
        "--max-examples", str(args.max_examples),
        "--workers", str(args.workers),
        "--seed", str(settings.seed),
        "--suppress-health-check", "all",
        "--output-sanitize", "true",
        "--generation-database", "none",  # a replay depends on the seed, not on a cwd cache
        "--request-timeout", f"{settings.limits().total_timeout:g}",
        # Credentials are the run's, not test data: never mutate or drop them.
        "--generation-with-security-parameters", "false",
        "--include-name-regex", name_regex(settings.chosen),
    ]  # fmt: skip
    reports: dict[str, Path | None] = {
        "ndjson": events,
        "har": _per_profile(args.har, profile.name, several),
        "vcr": _per_profile(args.vcr, profile.name, several),
    }
    wanted = [kind for kind, path in reports.items() if path]
    argv += ["--report", ",".join(wanted)]
    for kind in wanted:
        argv += [f"--report-{kind}-path", str(reports[kind])]
    return argv


def child_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in (AUTH_ENV, "AUTH")}
    env["SCHEMATHESIS_HOOKS"] = HOOKS
    env[READ_ONLY_ENV] = "0" if settings.args.allow_destructive else "1"
    env[LIMITS_ENV] = settings.limits().to_env()
    if settings.auth is not None:
        env[AUTH_ENV] = ":".join(settings.auth)
        env[PUBLIC_ENV] = "1" if settings.auth == settings.api.default_auth else "0"
    return env


class _Tail:
    """New complete lines of a file another process is writing."""

    def __init__(self, path: Path) -> None:
        self.path, self.offset, self.partial = path, 0, b""

    def lines(self) -> list[str]:
        if not self.path.exists():
            return []
        with self.path.open("rb") as handle:
            handle.seek(self.offset)
            data = handle.read(8 * 1024 * 1024)
            self.offset += len(data)
        data = self.partial + data
        *complete, self.partial = data.split(b"\n")
        return [line.decode("utf-8", "replace") for line in complete]


def _stop(process: subprocess.Popen[bytes]) -> None:
    for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


def run_profile(settings: Settings, profile: Profile, several: bool) -> tuple[ProfileRun, float]:
    run = ProfileRun(settings.api, settings.chosen, settings.discovery)
    started = time.monotonic()
    with (
        tempfile.TemporaryDirectory(prefix="mqtt-api-") as tmp,
        document_path(settings.api.document) as document,
    ):
        events = Path(tmp) / "events.ndjson"
        log = Path(tmp) / "schemathesis.log"
        config = write_config(
            settings.args, Path(tmp), as_toml(settings.discovery) + settings.api.suite_config
        )
        argv = schemathesis_argv(settings, profile, events, config, document, several)
        command = [sys.executable, "-m", "mqtt_api_kit.contract_tests.child", *argv]
        with log.open("wb") as output:
            process = subprocess.Popen(
                command,
                env=child_env(settings),
                cwd=tmp,  # Schemathesis' caches stay out of the user's directory
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: the budget stops all of it
            )
            stream, console = _Tail(events), _Tail(log)
            try:
                while True:
                    finished = process.poll() is not None
                    for line in stream.lines():
                        run.feed(line)
                    if settings.args.verbose:
                        for line in console.lines():
                            print(settings.masker.text(line), flush=True)
                    if finished:
                        break
                    if settings.budget.spent():
                        _stop(process)
                        run.interrupted = settings.budget.reason()
                        break
                    time.sleep(POLL)
            except BaseException:
                # Ctrl-C, a CI cancel (SIGTERM, see `main`), pytest stopping the plugin: the
                # child is in its own session and would go on sending requests to the target.
                _stop(process)
                raise
        for line in stream.lines():
            run.feed(line)
        code = process.returncode
        if run.interrupted is None and run.stop_reason is None:
            tail = settings.masker.text(log.read_text("utf-8", "replace"))[-2000:]
            run.interrupted = f"Schemathesis ended without a result (exit {code}):\n{tail}"
    for path in (
        _per_profile(settings.args.har, profile.name, several),
        _per_profile(settings.args.vcr, profile.name, several),
    ):
        if path and path.exists() and settings.masker:
            path.write_text(settings.masker.text(path.read_text("utf-8", "replace")))
    return run, time.monotonic() - started


def _with_probes(
    settings: Settings, verdicts: dict[str, Verdict]
) -> tuple[dict[str, Verdict], str]:
    served = [
        op
        for op in settings.chosen
        if op.method == "GET" and verdicts[op.label].kind not in (NOT_SERVED, NOT_RUN)
    ]
    context = ProbeContext(
        api=settings.api,
        url=settings.url,
        http=settings.run_session(),
        operations=served,
        discovery=settings.discovery,
        auth=settings.auth,
        session=settings.session,
        out_of_time=settings.budget.spent,
    )
    report = run_probes(context)
    merged = dict(verdicts)
    for label, failures in report.failures.items():
        old = merged[label]
        kind = old.kind if old.kind == ERROR else FAIL
        reason = old.reason if old.kind in (FAIL, ERROR) else failures[0].summary()
        merged[label] = replace(old, kind=kind, reason=reason, failures=(*old.failures, *failures))
    note = "probes (conformance): " + "; ".join(report.notes) + f" — {report.requests} requests"
    return merged, note


def _settings(args: argparse.Namespace) -> Settings | str:
    """The run's settings, or why the command line cannot be run (a usage error)."""
    url, url_auth = _strip_userinfo(args.url)
    api = APIS[args.api] if args.api else detect(url)
    if api is None:
        known = ", ".join(
            f"{' or '.join((a.base_path, *a.aliases))} ({a.name})" for a in APIS.values()
        )
        return (
            f"cannot tell the API from {url!r}; its path should end with one of {known}, "
            "or pass --api"
        )
    try:
        chosen = select(
            api,
            args.include,
            args.exclude,
            args.include_operation_id,
            args.exclude_operation_id,
            allow_writes=args.allow_destructive,
        )
    except SelectionError as exc:
        return str(exc)
    auth = credentials(args, api, url_auth)
    masker = Masker.for_credentials(auth, public=auth == api.default_auth)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**31)
    return Settings(args, api, url, auth, masker, chosen, seed, Budget(args.budget))


@dataclass
class Outcome:
    """A finished run: its exit status, the verdicts, and what it said."""

    code: int
    runs: list[ProfileVerdicts] = field(default_factory=list)
    error: str = ""  # why the run could not be made (usage, preflight), already masked
    settings: Settings | None = None


def execute(argv: Sequence[str], say: Callable[[str], None] = print) -> Outcome:
    """Run the suite as `mqtt-api test ARGV` would, without exiting: the CLI and the pytest
    plugin share it. `say` receives the progress lines and the report, already masked.
    Usage errors of the parser itself still raise SystemExit(2), as argparse does."""
    args = build_parser().parse_args(list(argv))
    made = _settings(args)
    if isinstance(made, str):
        return Outcome(2, error=made)
    settings = made
    masked = settings.masker.text
    api = settings.api
    if not args.no_preflight:
        try:
            check_target(
                settings.url,
                api.probe,
                settings.run_session(),
                settings.auth[0] if settings.auth else None,
                timeout=settings.limits().total_timeout,
            )
        except PreflightError as exc:
            return Outcome(2, error=masked(str(exc)), settings=settings)
    settings.discovery = (
        Discovery(skipped=True)
        if args.no_discovery
        else discover(api, settings.url, settings.run_session())
    )
    say(masked(f"mqtt-api test: {settings.discovery.summary()}"))
    mode = "read-write" if args.allow_destructive else "read-only (GET only)"
    names = list(dict.fromkeys(args.profile or ["conformance"]))  # each profile once
    runs: list[ProfileVerdicts] = []
    probe_note = ""
    for name in names:
        profile = PROFILES[name]
        say(
            masked(
                f"mqtt-api test: {api.name} at {settings.url} — {profile.name}, {mode}, "
                f"{len(settings.chosen)} operations, seed {settings.seed}"
            )
        )
        if settings.budget.spent():
            run = ProfileRun(api, settings.chosen, settings.discovery)
            run.interrupted = settings.budget.reason()
            seconds = 0.0
        else:
            run, seconds = run_profile(settings, profile, several=len(names) > 1)
        verdicts = run.verdicts(args.require_all)
        if name == "conformance" and not args.no_probes and run.incomplete() is None:
            verdicts, probe_note = _with_probes(settings, verdicts)
        runs.append(ProfileVerdicts(name, api.name, verdicts, run.incomplete(), seconds))
    say(masked(render(runs, settings.replay(), probe_note)))
    if args.junit:
        write_junit(runs, Path(args.junit), settings.replay())
    return Outcome(exit_code(runs), runs, settings=settings)


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the runner is, so the child is stopped on the way out."""


def _terminate(signum: int, frame: object) -> None:
    raise _Terminated


def main(argv: Sequence[str] | None = None) -> int:
    # A CI cancel sends SIGTERM: without a handler Python dies at once and leaves the
    # Schemathesis child (its own session, so the budget can stop all of it) running.
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminate) if in_main_thread else None
    try:
        outcome = execute(sys.argv[1:] if argv is None else argv, lambda t: print(t, flush=True))
    except KeyboardInterrupt as exc:
        what = "terminated (SIGTERM)" if isinstance(exc, _Terminated) else "interrupted"
        print(f"mqtt-api test: {what}; the run is incomplete, nothing was judged", file=sys.stderr)
        return 2
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    if outcome.error:
        print(f"mqtt-api test: {outcome.error}", file=sys.stderr)
    return outcome.code


def exit_code(runs: Sequence[ProfileVerdicts]) -> int:
    kinds = {v.kind for run in runs for v in run.verdicts.values()}
    if any(run.incomplete for run in runs) or ERROR in kinds:
        return 2
    return 1 if FAIL in kinds else 0


if __name__ == "__main__":
    sys.exit(main())
