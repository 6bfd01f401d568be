"""A per-operation verdict read back from Schemathesis' JUnit report."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path


def operation_verdicts(junit: Path) -> list[tuple[str, str, str]]:
    """(operation, "pass"|"fail"|"error"|"skip", first line of the reason) per test case."""
    rows = []
    for case in ET.parse(junit).getroot().iter("testcase"):
        verdict, reason = "pass", ""
        for tag in ("failure", "error", "skipped"):
            node = case.find(tag)
            if node is not None:
                verdict = {"failure": "fail", "error": "error", "skipped": "skip"}[tag]
                text = (node.get("message") or node.text or "").strip()
                reason = next((line.strip() for line in text.splitlines() if line.strip()), "")
                break
        rows.append((case.get("name", "?"), verdict, reason))
    return rows


def render(rows: list[tuple[str, str, str]]) -> str:
    marks = {"pass": "PASS", "fail": "FAIL", "error": "ERROR", "skip": "SKIP"}
    lines = ["", "Per operation:"]
    for name, verdict, reason in sorted(rows):
        line = f"  {marks[verdict]:5} {name}"
        if reason and verdict != "pass":
            line += f" — {reason[:160]}"
        lines.append(line)
    counts = {v: sum(1 for _, x, _ in rows if x == v) for v in marks}
    lines.append(
        f"  {counts['pass']} passed, {counts['fail']} failed"
        + (f", {counts['error']} errored" if counts["error"] else "")
        + (f", {counts['skip']} skipped" if counts["skip"] else "")
    )
    return "\n".join(lines)
