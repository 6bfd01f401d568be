"""`/management/trace-recordings…` and `/management/files/trace-recordings/{name}`."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.fixtures.trace_recordings import TraceRecording, TraceRecordingError

from ..http import json_response
from ..paths import path_value
from . import errors, serialize_management, trace_file

# RFC 3339 date-time (the document's `format: date-time`); HiveMQ parses it as an instant.
_DATE_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?"
    r"(?:[Zz]|([+-])(\d{2}):(\d{2}))"
)
DOWNLOADABLE = ("IN_PROGRESS", "STOPPED", "ABORTED")


def parse_time(text: object) -> int | None:
    """Epoch ms of an RFC 3339 date-time; None when it is not one (or not representable)."""
    found = _DATE_TIME.fullmatch(text) if isinstance(text, str) else None
    if found is None:
        return None
    year, month, day, hour, minute, second = (int(g) for g in found.groups()[:6])
    fraction, sign, off_h, off_m = found.groups()[6:]
    offset = timedelta(hours=int(off_h or 0), minutes=int(off_m or 0))
    try:
        zone = timezone(-offset if sign == "-" else offset)
        when = datetime(year, month, day, hour, minute, second, tzinfo=zone)
        when = when.astimezone(timezone.utc)
    except (ValueError, OverflowError):  # 31 February, a 25th hour, beyond year 9999
        return None
    return round(when.timestamp() * 1000) + int(((fraction or "0") + "00")[:3])


def _regexes(rows: object) -> list[str]:
    return [r["regex"] for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []


class TraceRecordingsApi:
    def __init__(self, world: World) -> None:
        self.world = world

    def _item(self, recording: TraceRecording, status: int = 200) -> Response:
        body = serialize_management.trace_recording(recording, self.world.now)
        return json_response({"traceRecording": body}, status)

    async def get_all_trace_recordings(self, **_: object) -> Response:
        now = self.world.now
        items = [
            serialize_management.trace_recording(r, now) for r in self.world.trace_recordings.all()
        ]
        return json_response({"items": items})

    async def create_trace_recording(self, body: dict[str, Any], **_: object) -> Response:
        wanted = body["traceRecording"]
        start, end = parse_time(wanted["startAt"]), parse_time(wanted["endAt"])
        if start is None or end is None:
            bad = "startAt" if start is None else "endAt"
            return errors.error(
                400, errors.INVALID_RESOURCE, f"The field '{bad}' is not an RFC 3339 date-time"
            )
        try:
            recording = self.world.trace_recordings.create(
                wanted["name"],
                start,
                end,
                _regexes(wanted.get("clientIdFilters")),
                _regexes(wanted.get("topicFilters")),
                wanted["events"],
            )
        except TraceRecordingError as exc:
            return errors.error(400, errors.INVALID_RESOURCE, str(exc))
        return self._item(recording, 201)

    async def stop_trace_recording(
        self, traceRecordingId: str, body: dict[str, Any], **_: object
    ) -> Response:
        name = path_value(traceRecordingId)
        recording = self.world.trace_recordings.recording(name)
        if recording is None:
            return errors.not_found(name)
        stopped = self.world.trace_recordings.stop(name)
        return self._item(stopped or recording)

    async def delete_trace_recording(self, traceRecordingId: str, **_: object) -> Response:
        name = path_value(traceRecordingId)
        if not self.world.trace_recordings.delete(name):
            return errors.not_found(name)
        return Response(b"", 204, media_type="application/json")

    async def download_trace_recording_file(self, traceRecordingId: str, **_: object) -> Response:
        name = path_value(traceRecordingId)
        recording = self.world.trace_recordings.recording(name)
        if recording is None:
            return errors.not_found(name)
        now = self.world.now
        state = recording.state(now)
        if state not in DOWNLOADABLE:
            return errors.error(
                404,
                errors.NOT_FOUND,
                f"The trace recording '{name}' has no files yet: it is {state}.",
            )
        return Response(
            trace_file.build(self.world, recording, now),
            200,
            {"Content-Disposition": f'attachment; filename="{name}.zip"'},
            media_type="application/zip",
        )
