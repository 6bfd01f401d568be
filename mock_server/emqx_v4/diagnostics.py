"""`emqx_modules` topic metrics and log traces, `emqx_plugin_libs` slow subscriptions.

These routes are always mounted; topic metrics and slow subscriptions answer
`{"message":"module_not_loaded"}` until their module (`emqx_mod_topic_metrics`,
`emqx_mod_slow_subs`) is loaded — the 4.4 dashboard loads it first and hides that message.
Trace errors carry upper-case string codes (`{"code":"NOT_FOUND","message":…}`) as the 4.4
trace API does (read from the 4.4 sources; the reference sheet does not cover trace bodies).
"""

from __future__ import annotations

import io
import time
import zipfile
from datetime import datetime
from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.fixtures.diagnostics import Diagnostics, DiagnosticsError, Trace, trace_log

from ..http import json_response
from ..paths import path_value
from . import errors, render
from .query import Page

_TRACE_CODES = {
    "already_existed": "ALREADY_EXISTED",
    "duplicate_condition": "DUPLICATE_CONDITION",
}


def _trace_error(code: str, message: str) -> Response:
    return json_response({"code": code, "message": message})


def _seconds(value: Any, default: int) -> int | None:
    """RFC 3339 text or Unix seconds; None when it is neither."""
    if value is None:
        return default
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())
        except ValueError:
            return None
    return None


class DiagnosticsApi:
    def __init__(self, world: World) -> None:
        self.world = world

    @property
    def _diag(self) -> Diagnostics:
        return self.world.diagnostics

    def _module_loaded(self, name: str) -> bool:
        nodes = self.world.running_nodes()
        module = nodes[0].modules.get(name) if nodes else None
        return bool(module and module.active)

    def _not_loaded(self, module: str) -> Response | None:
        if self._module_loaded(module):
            return None
        return json_response(render.message("module_not_loaded"))

    # -- topic metrics -----------------------------------------------------------------------

    async def list_topic_metrics(self) -> Response:
        if (refused := self._not_loaded("emqx_mod_topic_metrics")) is not None:
            return refused
        return errors.ok(data=[render.topic_metric(m) for m in self._diag.topic_metrics.values()])

    async def get_topic_metrics(self, topic: str) -> Response:
        if (refused := self._not_loaded("emqx_mod_topic_metrics")) is not None:
            return refused
        metric = self._diag.topic_metrics.get(path_value(topic))
        if metric is None:
            return json_response(render.message("topic_not_found"))
        return errors.ok(data=render.topic_metric(metric))

    async def register_topic_metrics(self, body: Any = None) -> Response:
        if (refused := self._not_loaded("emqx_mod_topic_metrics")) is not None:
            return refused
        topic = body.get("topic") if isinstance(body, dict) else None
        if not isinstance(topic, str):
            return json_response(render.message("missing_required_params"))
        try:
            self._diag.register_topic(topic, self.world.now)
        except DiagnosticsError as exc:
            return json_response(render.message(exc.reason))
        return errors.ok()

    async def unregister_topic_metrics(self, topic: str) -> Response:
        if (refused := self._not_loaded("emqx_mod_topic_metrics")) is not None:
            return refused
        if not self._diag.unregister_topic(path_value(topic)):
            return json_response(render.message("topic_not_found"))
        return errors.ok()

    async def unregister_all_topic_metrics(self) -> Response:
        if (refused := self._not_loaded("emqx_mod_topic_metrics")) is not None:
            return refused
        self._diag.unregister_all_topics()
        return errors.ok()

    # -- traces ------------------------------------------------------------------------------

    def _log_sizes(self, trace: Trace) -> dict[str, int]:
        return {node: len(self._log(trace, node).encode()) for node in self._nodes()}

    def _nodes(self) -> list[str]:
        return [n.name for n in self.world.running_nodes()]

    def _log(self, trace: Trace, node: str) -> str:
        now_s = self.world.now // 1000
        if trace.start_at > now_s:
            return ""
        return trace_log(trace, list(self.world.clients(node)), node, now_s)

    def _trace(self, name: str) -> Trace | Response:
        trace = self._diag.traces.get(path_value(name))
        if trace is None:
            return _trace_error("NOT_FOUND", f"{path_value(name)} Not Found")
        return trace

    async def list_traces(self) -> Response:
        now_s = self.world.now // 1000
        data = [render.trace(t, now_s, self._log_sizes(t)) for t in self._diag.traces.values()]
        return errors.ok(data=data)

    async def create_trace(self, body: Any = None) -> Response:
        body = body if isinstance(body, dict) else {}
        now_s = self.world.now // 1000
        kind = body.get("type")
        start = _seconds(body.get("start_at"), now_s)
        end = _seconds(body.get("end_at"), (start or now_s) + 600)
        name, value = body.get("name"), body.get(kind) if isinstance(kind, str) else None
        if not isinstance(name, str) or not isinstance(kind, str) or start is None or end is None:
            return _trace_error("INCORRECT_PARAMS", "name, type and a valid time range required")
        trace = Trace(name, kind, value if isinstance(value, str) else "", start, end)
        try:
            self._diag.create_trace(trace, now_s)
        except DiagnosticsError as exc:
            return _trace_error(_TRACE_CODES.get(exc.reason, "INCORRECT_PARAMS"), exc.detail)
        return errors.ok(data=render.trace(trace, now_s, self._log_sizes(trace)))

    async def clear_traces(self) -> Response:
        self._diag.clear_traces()
        return errors.ok()

    async def delete_trace(self, name: str) -> Response:
        if not self._diag.delete_trace(path_value(name)):
            return _trace_error("NOT_FOUND", f"{path_value(name)} Not Found")
        return errors.ok()

    async def stop_trace(self, name: str) -> Response:
        if not self._diag.stop_trace(path_value(name)):
            return _trace_error("NOT_FOUND", f"{path_value(name)} Not Found")
        return errors.ok()

    async def get_trace_detail(self, name: str) -> Response:
        found = self._trace(name)
        if isinstance(found, Response):
            return found
        mtime = render.rfc3339(min(self.world.now // 1000, found.end_at))
        data = [
            {"node": node, "size": size, "mtime": mtime}
            for node, size in self._log_sizes(found).items()
        ]
        return errors.ok(data=data)

    async def download_trace(self, name: str, **params: Any) -> Response:
        found = self._trace(name)
        if isinstance(found, Response):
            return found
        buffer = io.BytesIO()
        stamp = time.gmtime(min(self.world.now // 1000, found.end_at))[:6]
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for node in self._nodes():
                info = zipfile.ZipInfo(f"{node}-trace_{found.name}.log", stamp)
                archive.writestr(info, self._log(found, node))
        headers = {"Content-Disposition": f'attachment; filename="{found.name}.zip"'}
        return Response(buffer.getvalue(), 200, headers, media_type="application/octet-stream")

    async def read_trace_log(self, name: str, **params: Any) -> Response:
        found = self._trace(name)
        if isinstance(found, Response):
            return found
        node = str(params.get("node") or (self._nodes() or [""])[0])
        position, size = int(params.get("position", 0)), int(params.get("bytes", 1000))
        data = self._log(found, node).encode()[position : position + size]
        meta = {"position": position + len(data), "bytes": len(data)}
        return errors.ok(data={"items": data.decode(errors="replace"), "meta": meta})

    # -- slow subscriptions -------------------------------------------------------------------

    async def list_slow_subscriptions(self, **params: Any) -> Response:
        if (refused := self._not_loaded("emqx_mod_slow_subs")) is not None:
            return refused
        rows = self._diag.slow_subs
        page = Page.from_params(params)
        taken, _ = page.take(rows)
        meta = {"page": page.page, "limit": page.limit, "count": len(rows)}
        return errors.ok(data=[render.slow_sub(s) for s in taken], meta=meta)

    async def clear_slow_subscriptions(self) -> Response:
        if (refused := self._not_loaded("emqx_mod_slow_subs")) is not None:
            return refused
        self._diag.clear_slow_subs()
        return errors.ok()
