"""Run the contract suite against any base URL: `mqtt-api test URL` / `make test TARGET=URL`.

A thin layer over `schemathesis run`: it picks the document from the URL's base path, keeps
the run read-only unless writes are allowed, turns on the response checks plus ours
(`contract_tests.checks`), and passes reports through. Exit status: 0 when every check held.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from .apis import APIS, Api, detect
from .checks.safety import READ_ONLY_ENV

CONFIG_FILE = Path(__file__).with_name("schemathesis.toml")
RESPONSE_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
)
CUSTOM_CHECKS = ("emqx_business_code", "emqx_paging_meta")
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


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
        "--auth",
        default=os.environ.get("AUTH"),
        help="USER:PASS for HTTP Basic (env AUTH); default: the broker's default",
    )
    p.add_argument("--no-auth", action="store_true", help="send no credentials")
    p.add_argument(
        "--allow-destructive",
        action="store_true",
        default=_env_flag("ALLOW_DESTRUCTIVE"),
        help="also send POST/PUT/DELETE (env ALLOW_DESTRUCTIVE=1)",
    )
    p.add_argument("--max-examples", type=int, default=int(os.environ.get("MAX_EXAMPLES", 25)))
    p.add_argument("--workers", default=os.environ.get("WORKERS", "1"))
    p.add_argument("--seed", type=int, default=None, help="Hypothesis seed for a repeatable run")
    p.add_argument("--junit", default=os.environ.get("JUNIT"), help="write JUnit XML here")
    p.add_argument(
        "--include-operation-id",
        action="append",
        default=[],
        help="only this operation (repeatable)",
    )
    p.add_argument(
        "--exclude-operation-id",
        action="append",
        default=[],
        help="skip this operation (repeatable)",
    )
    return p


def schemathesis_argv(args: argparse.Namespace, api: Api) -> list[str]:
    argv = [
        "--no-color",
        "--config-file",
        str(CONFIG_FILE),
        "run",
        str(api.spec_file),
        "--url",
        args.url.rstrip("/"),
        "--mode",
        "positive",
        "--phases",
        "examples,coverage,fuzzing",
        "--checks",
        ",".join(RESPONSE_CHECKS + CUSTOM_CHECKS),
        "--max-examples",
        str(args.max_examples),
        "--workers",
        str(args.workers),
        "--suppress-health-check",
        "all",
        "--output-sanitize",
        "true",
    ]
    auth = None if args.no_auth else (args.auth or api.default_auth)
    if auth:
        argv += ["--auth", auth]
    if not args.allow_destructive:
        argv += ["--include-method", "GET"]
    if args.seed is not None:
        argv += ["--seed", str(args.seed)]
    if args.junit:
        argv += ["--report", "junit", "--report-junit-path", args.junit]
    for op in args.include_operation_id:
        argv += ["--include-operation-id", op]
    for op in args.exclude_operation_id:
        argv += ["--exclude-operation-id", op]
    return argv


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    api = APIS[args.api] if args.api else detect(args.url)
    if api is None:
        known = ", ".join(f"{a.base_path} ({a.name})" for a in APIS.values())
        print(
            f"mqtt-api test: cannot tell the API from {args.url!r}; its path should end "
            f"with one of {known}, or pass --api",
            file=sys.stderr,
        )
        return 2
    env = dict(os.environ, SCHEMATHESIS_HOOKS="contract_tests.checks")
    env[READ_ONLY_ENV] = "0" if args.allow_destructive else "1"
    mode = "read-write" if args.allow_destructive else "read-only (GET only)"
    print(f"mqtt-api test: {api.name} at {args.url} — {mode}", flush=True)
    cmd = [sys.executable, "-m", "schemathesis.cli", *schemathesis_argv(args, api)]
    return subprocess.call(cmd, env=env)


if __name__ == "__main__":
    sys.exit(main())
