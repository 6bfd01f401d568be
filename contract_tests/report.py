"""The run's verdict for people (console) and for CI pages (one JUnit file).

Console: per profile, one row per operation (PASS / FAIL / NOT SERVED / ERROR / NOT RUN), then
for every failure the rule, what broke, a `curl` line that runs as pasted (credentials from
`$MQTT_API_AUTH`, never printed) and the `mqtt-api test` command that replays the operation
from any directory. The last line counts passed, failed and not served.

JUnit: one `<testsuite>` per profile, `classname` the API, one `<testcase>` per operation; a
failure's message says what broke; a not-served operation is `<skipped>` with a message
starting `not served:`; an operation judged on made-up path values only carries a
`no_discovered_value` property per such parameter.
"""

from __future__ import annotations

import base64
import shlex
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .guard import AUTH_ENV
from .results import ERROR, FAIL, KINDS, NOT_RUN, NOT_SERVED, PASS, Failure, Verdict

__all__ = ["ProfileVerdicts", "Replay", "counts_line", "curl", "render", "write_junit"]


@dataclass(frozen=True, slots=True)
class Replay:
    """What it takes to run one operation again: `mqtt-api test` with the same settings."""

    url: str
    api: str | None
    seed: int
    max_examples: int
    allow_destructive: bool
    authenticated: bool

    def command(self, profile: str, label: str) -> str:
        regex = "^" + _escape_label(label) + "$"
        argv = [sys.executable, "-m", "mqtt_api_kit", "test", self.url]
        if self.api:
            argv += ["--api", self.api]
        argv += ["--profile", profile, "--seed", str(self.seed)]
        argv += ["--max-examples", str(self.max_examples), "--include", regex]
        if self.allow_destructive:
            argv.append("--allow-destructive")
        text = " ".join(shlex.quote(a) for a in argv)
        return text if not self.authenticated else f"{text}   # reads ${AUTH_ENV}"


def _escape_label(label: str) -> str:
    out = []
    for char in label:
        out.append("\\" + char if char in r".^$*+?{}[]\|()" else char)
    return "".join(out)


@dataclass(frozen=True, slots=True)
class ProfileVerdicts:
    profile: str
    api: str  # the registry name: JUnit classname
    verdicts: dict[str, Verdict]
    incomplete: str | None = None
    seconds: float = 0.0


def curl(failure: Failure, authenticated: bool) -> str:
    """A curl line that sends the failing request again, as pasted into a POSIX shell."""
    parts = ["curl", "-sS", "-i", "-g", "-X", failure.method or "GET"]
    if failure.curl_auth == "run" and authenticated:
        parts += ["-u", f'"${AUTH_ENV}"']
    elif failure.curl_auth not in (None, "run"):
        parts += ["-u", shlex.quote(str(failure.curl_auth))]
    for name, value in failure.headers.items():
        if name.lower() in ("authorization", "content-length", "host"):
            continue
        parts += ["-H", shlex.quote(f"{name}: {value}")]
    prefix = ""
    if failure.body is not None:
        try:
            text = failure.body.decode("utf-8")
            if "\x00" in text:
                raise UnicodeDecodeError("utf-8", failure.body, 0, 1, "NUL")
            parts += ["--data-binary", shlex.quote(text)]
        except UnicodeDecodeError:
            encoded = base64.b64encode(failure.body).decode()
            prefix = f"printf %s {encoded} | base64 -d | "
            parts += ["--data-binary", "@-"]
    parts.append(shlex.quote(failure.uri))
    return prefix + " ".join(parts)


def counts_line(runs: Sequence[ProfileVerdicts]) -> str:
    counts: Counter[str] = Counter(v.kind for run in runs for v in run.verdicts.values())
    text = f"{counts[PASS]} passed, {counts[FAIL]} failed, {counts[NOT_SERVED]} not served"
    extra = [f"{counts[k]} {k.lower()}" for k in (ERROR, NOT_RUN) if counts[k]]
    return text + (", " + ", ".join(extra) if extra else "")


def render(runs: Sequence[ProfileVerdicts], replay: Replay, probes_note: str = "") -> str:
    lines: list[str] = []
    for run in runs:
        lines += ["", f"{run.api} — {run.profile} ({run.seconds:.1f} s), per operation:"]
        for label in sorted(run.verdicts):
            verdict = run.verdicts[label]
            line = f"  {verdict.kind:10} {label}"
            if verdict.reason and verdict.kind != PASS:
                line += f" — {verdict.reason[:200]}"
            if verdict.guessed:
                line += f"  [no discovered {', '.join('{' + p + '}' for p in verdict.guessed)}]"
            lines.append(line)
        if run.incomplete:
            lines.append(f"  run incomplete: {run.incomplete}")
        failing = [(label, v) for label, v in sorted(run.verdicts.items()) if v.failures]
        if failing:
            lines += ["", f"{run.profile} failures:"]
        for label, verdict in failing:
            lines.append(f"  {label}")
            for failure in verdict.failures:
                times = f" ({failure.count}×)" if failure.count > 1 else ""
                lines.append(f"    - {failure.summary()}{times}")
                detail = [x.strip() for x in failure.message.splitlines()[1:] if x.strip()]
                for extra in detail[:4]:
                    lines.append(f"        {extra[:200]}")
                if failure.status is not None:
                    answer = failure.answer.strip().replace("\n", " ")[:200]
                    lines.append(f"      answer: HTTP {failure.status} {answer}")
                if failure.uri:
                    lines += [
                        "      Reproduce with:",
                        f"        {curl(failure, replay.authenticated)}",
                    ]
            lines += ["      Replay:", f"        {replay.command(run.profile, label)}"]
    if probes_note:
        lines += ["", probes_note]
    if replay.authenticated and any(v.failures for run in runs for v in run.verdicts.values()):
        lines += ["", f"(the curl and replay lines read the credentials from ${AUTH_ENV})"]
    lines += ["", counts_line(runs)]
    return "\n".join(lines)


def write_junit(runs: Sequence[ProfileVerdicts], path: Path, replay: Replay) -> None:
    root = ET.Element("testsuites", name="mqtt-api")
    for run in runs:
        counts = Counter(v.kind for v in run.verdicts.values())
        suite = ET.SubElement(
            root,
            "testsuite",
            name=run.profile,
            tests=str(len(run.verdicts)),
            failures=str(counts[FAIL]),
            errors=str(counts[ERROR] + counts[NOT_RUN]),
            skipped=str(counts[NOT_SERVED]),
            time=f"{run.seconds:.3f}",
        )
        for label in sorted(run.verdicts):
            verdict = run.verdicts[label]
            case = ET.SubElement(suite, "testcase", classname=run.api, name=label)
            if verdict.guessed:
                # The console's `[no discovered {p}]`: this verdict rests on made-up path values.
                props = ET.SubElement(case, "properties")
                for name in verdict.guessed:
                    ET.SubElement(props, "property", name="no_discovered_value", value=name)
            if verdict.kind == PASS:
                continue
            if verdict.kind == NOT_SERVED:
                ET.SubElement(case, "skipped", message=verdict.reason)
                continue
            tag = "failure" if verdict.kind == FAIL else "error"
            node = ET.SubElement(case, tag, message=verdict.reason, type=verdict.kind)
            node.text = _details(verdict, replay, run.profile, label)
        if run.incomplete:
            ET.SubElement(suite, "system-err").text = f"run incomplete: {run.incomplete}"
    ET.indent(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def _details(verdict: Verdict, replay: Replay, profile: str, label: str) -> str:
    lines = [verdict.reason]
    for failure in verdict.failures:
        lines += ["", failure.summary(), failure.message]
        if failure.status is not None:
            lines.append(f"answer: HTTP {failure.status} {failure.answer[:300]}")
        if failure.uri:
            lines += ["Reproduce with:", curl(failure, replay.authenticated)]
    lines += ["Replay:", replay.command(profile, label)]
    return "\n".join(lines)


assert set(KINDS) == {PASS, FAIL, NOT_SERVED, ERROR, NOT_RUN}
