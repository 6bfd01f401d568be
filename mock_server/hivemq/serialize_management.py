"""Backups, diagnostic archives and trace recordings → HiveMQ JSON.

Backup and archive times are whole seconds (`2020-05-06T08:13:17Z`, the reference's
examples), trace recording times carry milliseconds (`2020-07-23T12:07:30.000Z`).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from mqtt_api_kit.fixtures.backups import Backup
from mqtt_api_kit.fixtures.diagnostic_archives import DiagnosticArchive
from mqtt_api_kit.fixtures.trace_recordings import TraceRecording

from .serialize import rfc3339


def seconds(ms: int) -> str:
    when = datetime.fromtimestamp(ms // 1000, tz=timezone.utc).replace(tzinfo=None)
    return when.isoformat(timespec="seconds") + "Z"  # a zero-padded year (serialize.rfc3339)


def backup(b: Backup, now: int) -> dict[str, Any]:
    body: dict[str, Any] = {"id": b.id, "createdAt": seconds(b.created_at)}
    size = b.size(now)
    if size is not None:
        body["bytes"] = size
    body["state"] = b.state(now)
    reason = b.reason()
    if reason is not None and body["state"] in ("FAILED", "RESTORE_FAILED"):
        body["failReason"] = reason
    return body


def diagnostic_archive(a: DiagnosticArchive, now: int) -> dict[str, Any]:
    body: dict[str, Any] = {"id": a.id, "createdAt": seconds(a.created_at)}
    size = a.size(now)
    if size is not None:
        body["bytes"] = size
    body["state"] = a.state(now)
    if a.fail_reason is not None:
        body["failReason"] = a.fail_reason
    return body


def trace_recording(r: TraceRecording, now: int) -> dict[str, Any]:
    return {
        "name": r.name,
        "startAt": rfc3339(r.start_at),
        "endAt": rfc3339(r.end_at),
        "clientIdFilters": [{"regex": f} for f in r.client_filters],
        "topicFilters": [{"regex": f} for f in r.topic_filters],
        "events": list(r.events),
        "state": r.state(now),
    }
