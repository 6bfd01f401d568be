"""`/trace…`: emqx_mgmt_api_trace.erl (5.8.1) over the world's log traces
(`Diagnostics.traces`, also 4.x's `/api/v4/trace`: a trace made through either is listed by
the other). A new trace is read by EMQX 5's rules (`fixtures/traces5.py`).

What the handlers answer, read from the code:

* `POST /trace` echoes the trace with `end_at` equal to `start_at` (format_trace/1 writes
  `end_at => epoch_to_rfc3339(Start)`) and every running node's `log_size` 0; refusals are
  409 ALREADY_EXISTS / DUPLICATE_CONDITION and 400 INVALID_PARAMS with to_trace/1's reason.
* A `{name}` outside `^[A-Za-z]+[A-Za-z0-9-_]*$` (or longer than 256) fails the path's
  validator (400 BAD_REQUEST) before the handler.
* `GET /trace/{name}/log`: a `node` that is not running is 404 "Node NOT FOUND" (checked
  before the name); no file yet (the trace has not started) is 200 with no items and
  `position` as asked; past the end `position` is the file size.
* `GET /trace/{name}/download`: the zip of the nodes' non-empty files, each
  `<node>-trace_<name>_<date>.log`, or 404 "Trace is empty" when none has any.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.fixtures.diagnostics import DiagnosticsError, Trace, trace_log
from mqtt_api_kit.fixtures.traces5 import to_trace
from mqtt_api_kit.fixtures.zipfiles import zip_bytes

from ..paths import path_value
from . import errors, render

_NAME = re.compile(r"^[A-Za-z]+[A-Za-z0-9-_]*$")


def _shown(t: Trace, status: str, log_size: dict[str, int], end_at: int) -> dict[str, Any]:
    return {
        "name": t.name,
        "type": t.type,
        "payload_encode": t.payload_encode,
        "formatter": t.formatter,
        "start_at": render.rfc3339_s(t.start_at),
        "end_at": render.rfc3339_s(end_at),
        "log_size": log_size,
        t.type: t.filter,
        "status": status,
    }


def _name_problem(name: str) -> Response | None:
    """validate_name/1 on the path (the schema check's 400)."""
    if not 0 < len(name.encode()) <= 256:
        return errors.bad_request("Name Length must =< 256")
    if not _NAME.match(name):
        return errors.bad_request("Name should be ^[A-Za-z]+[A-Za-z0-9-_]*$")
    return None


class TraceApi:
    def __init__(self, world: World) -> None:
        self.world = world

    def _now_s(self) -> int:
        return self.world.now // 1000

    def _running(self) -> list[str]:
        return self.world.cluster.running_names()

    def _log(self, trace: Trace, node: str) -> bytes | None:
        """The node's log file of the trace; None: none yet (the handler installs at start)."""
        now_s = self._now_s()
        if not trace.started(now_s):
            return None
        return trace_log(trace, list(self.world.clients(node)), node, now_s).encode()

    def _trace(self, name: str) -> Trace | Response:
        problem = _name_problem(name)
        if problem is not None:
            return problem
        trace = self.world.diagnostics.traces.get(name)
        return errors.not_found(f"{name} NOT FOUND") if trace is None else trace

    def _node(self, query: dict[str, Any], default: str | None) -> str | Response | None:
        """parse_node/2: absent → the default; present, it must be a running node."""
        if "node" not in query:
            return default
        node = str(query["node"])
        if node not in self._running():
            return errors.not_found("Node NOT FOUND")
        return node

    async def list_traces(self) -> Response:
        now_s, nodes = self._now_s(), self._running()
        traces = sorted(self.world.diagnostics.traces.values(), key=lambda t: -t.start_at)
        rows = []
        for t in traces:
            sizes = {n: len(self._log(t, n) or b"") for n in nodes}
            rows.append(_shown(t, t.status(now_s), sizes, t.end_at))
        return errors.ok(rows)

    async def create_trace(self, body: dict[str, Any]) -> Response:
        now_s = self._now_s()
        try:
            trace = self.world.diagnostics.insert_trace(to_trace(body, now_s))
        except DiagnosticsError as exc:
            if exc.reason == "already_existed":
                return errors.error(409, "ALREADY_EXISTS", f"{exc.detail} Already Exists")
            if exc.reason == "duplicate_condition":
                return errors.error(
                    409, "DUPLICATE_CONDITION", f"{exc.detail} Duplication Condition"
                )
            return errors.error(400, "INVALID_PARAMS", exc.detail)
        sizes = dict.fromkeys(self._running(), 0)
        return errors.ok(_shown(trace, trace.status(now_s), sizes, trace.start_at))

    async def clear_traces(self) -> Response:
        self.world.diagnostics.clear_traces()
        return errors.no_content()

    async def delete_trace(self, name: str) -> Response:
        found = self._trace(path_value(name))
        if isinstance(found, Response):
            return found
        self.world.diagnostics.delete_trace(found.name)
        return errors.no_content()

    async def stop_trace(self, name: str) -> Response:
        found = self._trace(path_value(name))
        if isinstance(found, Response):
            return found
        self.world.diagnostics.stop_trace(found.name)
        return errors.ok({"enable": False, "name": found.name})

    async def get_trace_log_detail(self, name: str) -> Response:
        found = self._trace(path_value(name))
        if isinstance(found, Response):
            return found
        mtime = min(self._now_s(), found.end_at)
        rows: list[dict[str, Any]] = []
        for node in self._running():  # group_trace_file_detail/1 folds by prepending
            log = self._log(found, node)
            if log is not None:
                rows.insert(0, {"size": len(log), "mtime": mtime, "node": node})
        return errors.ok(rows)

    async def download_trace(self, name: str, **query: Any) -> Response:
        found = self._trace(path_value(name))
        if isinstance(found, Response):
            return found
        node = self._node(query, None)
        if isinstance(node, Response):
            return node
        entries: list[tuple[str, bytes]] = []
        for each in [node] if node is not None else self._running():
            log = self._log(found, each)
            if log:  # group_trace_file/3 prepends
                entries.insert(0, (f"{each}-{found.filename()}", log))
        if not entries:
            return errors.not_found("Trace is empty")
        archive = zip_bytes(entries, min(self._now_s(), found.end_at) * 1000)
        headers = {"content-disposition": f"attachment; filename={found.name}.zip"}
        return Response(archive, 200, headers, media_type="application/x-zip")

    async def read_trace_log(self, name: str, **query: Any) -> Response:
        problem = _name_problem(path_value(name))
        if problem is not None:
            return problem
        running = self._running()
        node = self._node(query, running[0] if running else None)
        if isinstance(node, Response):
            return node
        found = self._trace(path_value(name))
        if isinstance(found, Response):
            return found
        position, size = int(query.get("position", 0)), int(query.get("bytes", 1000))
        log = self._log(found, str(node))
        if log is None:  # {error, enoent}
            return errors.ok({"meta": {"position": position, "bytes": size}, "items": ""})
        start = max(position, 0)  # read_file/3 ignores a failed file:position/2
        chunk = log[start : start + size]
        if not chunk and size > 0:  # {eof, Size}
            return errors.ok({"meta": {"position": len(log), "bytes": size}, "items": ""})
        meta = {"position": position + len(chunk), "bytes": size}
        return errors.ok({"meta": meta, "items": chunk.decode(errors="replace")})
