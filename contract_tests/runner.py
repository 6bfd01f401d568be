"""Run the contract suite against any base URL: `mqtt-api test URL` / `make test TARGET=URL`.

A thin layer over `schemathesis run`: it picks the document from the URL's base path, checks
the target is reachable and accepts the credentials, keeps the run read-only unless writes
are allowed, selects the profile's data mode, phases and checks (ours live in
`contract_tests.checks`), and ends with a per-operation verdict. Exit status 0 means every
check held; 1 a contract violation; 2 the run could not be made as asked.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path

from mqtt_api_kit.openapi import document_path
from mqtt_api_kit.registry import APIS, Api, detect

from .checks.robustness import FAMILY_ENV
from .checks.safety import READ_ONLY_ENV, WRITE_METHODS
from .discovery import as_toml, discover
from .preflight import PreflightError, check_target
from .profiles import PROFILES, Profile
from .summary import operation_verdicts, render

__all__ = ["build_parser", "main", "report_path", "schemathesis_argv", "write_config"]

HOOKS = "mqtt_api_kit.contract_tests.checks"


def base_config() -> str:
    """Our Schemathesis settings (`schemathesis.toml`, package data)."""
    return files(__package__ or __name__).joinpath("schemathesis.toml").read_text("utf-8")


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").lower() in ("1", "true", "yes")


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
    creds = p.add_argument_group("credentials (never printed; masked in reports)")
    creds.add_argument(
        "--auth",
        default=os.environ.get("AUTH") or None,
        help="USER:PASS for HTTP Basic (env AUTH); default: the broker's default",
    )
    creds.add_argument("--no-auth", action="store_true", help="send no credentials")
    p.add_argument(
        "--allow-destructive",
        action="store_true",
        default=_env_flag("ALLOW_DESTRUCTIVE"),
        help="also send POST/PUT/DELETE (env ALLOW_DESTRUCTIVE=1)",
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
    speed = p.add_argument_group("speed")
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
    rep = p.add_argument_group("reports")
    rep.add_argument("--junit", default=os.environ.get("JUNIT") or None, help="JUnit XML path")
    rep.add_argument("--har", default=os.environ.get("HAR") or None, help="HAR cassette path")
    rep.add_argument("--vcr", default=os.environ.get("VCR") or None, help="VCR cassette path")
    p.add_argument("--no-preflight", action="store_true", help="skip the reachability check")
    p.add_argument(
        "--no-discovery",
        action="store_true",
        help="do not read real node names and client ids from the target first",
    )
    return p


def credentials(args: argparse.Namespace, api: Api) -> str | None:
    if args.no_auth:
        return None
    return args.auth or (":".join(api.default_auth) if api.default_auth else None)


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


def schemathesis_argv(
    args: argparse.Namespace,
    api: Api,
    profile: Profile,
    junit: str | None = None,
    config: Path | None = None,
    document: Path | None = None,
) -> list[str]:
    argv = [
        "--no-color", *(["--config-file", str(config)] if config else []),
        "run", str(document or api.document),
        "--url", args.url.rstrip("/"),
        "--mode", profile.mode,
        "--phases", profile.phases,
        "--checks", ",".join(profile.checks_for(api)),
        "--max-examples", str(args.max_examples),
        "--workers", str(args.workers),
        "--suppress-health-check", "all",
        "--output-sanitize", "true",
        # Credentials are the run's, not test data: never mutate or drop them.
        "--generation-with-security-parameters", "false",
    ]  # fmt: skip
    auth = credentials(args, api)
    if auth:
        argv += ["--auth", auth]
    if not args.allow_destructive:
        # Excluded, not "--include-method GET": Schemathesis ORs its include filters, so a
        # method include beside `--include REGEX` would select the writes that match REGEX.
        for method in sorted(WRITE_METHODS):
            argv += ["--exclude-method", method]
    if args.seed is not None:
        argv += ["--seed", str(args.seed)]
    reports = {"junit": junit or args.junit, "har": args.har, "vcr": args.vcr}
    wanted = [kind for kind, path in reports.items() if path]
    if wanted:
        argv += ["--report", ",".join(wanted)]
        for kind in wanted:
            argv += [f"--report-{kind}-path", str(reports[kind])]
    # Schemathesis takes one name regex (the last of several flags wins): ours are repeatable,
    # so several become one alternation. Operation ids are repeatable on both sides.
    for flag, regexes in (
        ("--include-name-regex", args.include),
        ("--exclude-name-regex", args.exclude),
    ):
        if len(regexes) == 1:
            argv += [flag, regexes[0]]
        elif regexes:
            argv += [flag, "|".join(f"(?:{regex})" for regex in regexes)]
    for flag, values in (
        ("--include-operation-id", args.include_operation_id),
        ("--exclude-operation-id", args.exclude_operation_id),
    ):
        for value in values:
            argv += [flag, value]
    return argv


def _split_auth(auth: str | None) -> tuple[str, str] | None:
    if not auth:
        return None
    user, _, password = auth.partition(":")
    return user, password


def report_path(path: str | None, profile: Profile, several: bool) -> str | None:
    """Where this profile's report goes: PATH itself when one profile runs; with several, PATH
    with the profile's name before its suffix (`r.xml` → `r-robustness.xml`), so one
    profile's report never overwrites another's."""
    if path is None or not several:
        return path
    given = Path(path)
    return str(given.with_name(f"{given.stem}-{profile.name}{given.suffix}"))


def run_profile(args: argparse.Namespace, api: Api, profile: Profile, discovered: str) -> int:
    env = dict(os.environ, SCHEMATHESIS_HOOKS=HOOKS)
    env[READ_ONLY_ENV] = "0" if args.allow_destructive else "1"
    env[FAMILY_ENV] = api.family
    with (
        tempfile.TemporaryDirectory(prefix="mqtt-api-") as tmp,
        document_path(api.document) as document,
    ):
        junit = args.junit or str(Path(tmp) / "junit.xml")
        config = write_config(args, Path(tmp), discovered)
        argv = schemathesis_argv(args, api, profile, junit=junit, config=config, document=document)
        code = subprocess.call([sys.executable, "-m", "schemathesis.cli", *argv], env=env)
        if Path(junit).exists():
            print(render(operation_verdicts(Path(junit))), flush=True)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    api = APIS[args.api] if args.api else detect(args.url)
    if api is None:
        known = ", ".join(
            f"{' or '.join((a.base_path, *a.aliases))} ({a.name})" for a in APIS.values()
        )
        print(
            f"mqtt-api test: cannot tell the API from {args.url!r}; its path should end "
            f"with one of {known}, or pass --api",
            file=sys.stderr,
        )
        return 2
    if not args.no_preflight:
        try:
            check_target(args.url, api.probe, _split_auth(credentials(args, api)))
        except PreflightError as exc:
            print(f"mqtt-api test: {exc}", file=sys.stderr)
            return 2
    found = (
        {} if args.no_discovery else discover(api, args.url, _split_auth(credentials(args, api)))
    )
    if found:
        counts = ", ".join(f"{len(values)} {name}" for name, (_, values) in found.items())
        print(f"mqtt-api test: found {counts} on the target; path parameters use them often")
    mode = "read-write" if args.allow_destructive else "read-only (GET only)"
    worst = 0
    names = list(dict.fromkeys(args.profile or ["conformance"]))  # each profile once
    for name in names:
        profile = PROFILES[name]
        reports = {
            kind: report_path(getattr(args, kind), profile, len(names) > 1)
            for kind in ("junit", "har", "vcr")
        }
        print(f"mqtt-api test: {api.name} at {args.url} — {profile.name}, {mode}", flush=True)
        profile_args = argparse.Namespace(**{**vars(args), **reports})
        worst = max(worst, run_profile(profile_args, api, profile, as_toml(found)))
    return worst


if __name__ == "__main__":
    sys.exit(main())
