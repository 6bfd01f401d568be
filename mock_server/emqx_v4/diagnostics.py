"""`emqx_modules` topic metrics and log traces, `emqx_plugin_libs` slow subscriptions.

These routes are always mounted (`emqx_mgmt_http:filter/1` routes emqx_modules and
emqx_plugin_libs unconditionally). Read from the handlers at v4.4.19:

* Topic metrics (`emqx_mod_api_topic_metrics.erl`): `{"message":"module_not_loaded"}` until
  `emqx_mod_topic_metrics` is loaded. Registering and unregistering answer `{"code":0}`
  whatever the module says (the result is not looked at: a second registration, the 513th
  topic, an unknown topic are all code 0); a wildcard topic is `invalid_topic_name`. The
  metrics of an unregistered topic are `{"code":0,"data":{}}`; rows carry `topic` and
  `metrics` only, the counters summed over the running nodes.
* Traces (`emqx_mod_trace_api.erl`, `emqx_trace_api.erl`): list, create, stop, delete and
  clear answer `{"message":"module_not_loaded"}` until `emqx_mod_trace` is loaded; detail,
  download and log do not ask. Errors carry string codes: `{"code":"NOT_FOUND","message":
  "<name> NOT FOUND"}`, `INCORRECT_PARAMS`, `ALREADY_EXISTED`, `DUPLICATE_CONDITION`. A
  create answers `{"code":0}`, a stop `{"code":0,"data":{"enable":false,"name":…}}`.
* Slow subscriptions (`emqx_slow_subs_api.erl`): the list is the top entries of every
  running node, by `timespan`, at most 1000, **unpaged** (no `meta`); it needs
  `emqx_mod_slow_subs`; clearing does not (always `{"code":0}`).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.fixtures.diagnostics import (
    Diagnostics,
    DiagnosticsError,
    Trace,
    topic_name_error,
    trace_log,
)
from mqtt_api_kit.fixtures.zipfiles import zip_bytes

from ..http import json_response
from ..paths import path_value
from . import errors, render

SLOW_SUBS_MAX = 1000  # ?MAX_SIZE of emqx_slow_subs.hrl


def _trace_error(code: str, message: str) -> Response:
    return json_response({"code": code, "message": message})


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
        # get_all_topic_metrics/0 folds the registered topics by prepending
        rows = [render.topic_metric(m) for m in reversed(list(self._diag.topic_metrics.values()))]
        return errors.ok(data=rows)

    async def get_topic_metrics(self, topic: str) -> Response:
        if (refused := self._not_loaded("emqx_mod_topic_metrics")) is not None:
            return refused
        name = path_value(topic)
        if topic_name_error(name):
            return json_response(render.message("invalid_topic_name"))
        metric = self._diag.topic_metrics.get(name)
        return errors.ok(data=render.topic_counters(metric) if metric else {})

    async def register_topic_metrics(self, body: Any = None) -> Response:
        if (refused := self._not_loaded("emqx_mod_topic_metrics")) is not None:
            return refused
        topic = body.get("topic") if isinstance(body, dict) else None
        if topic is None:
            return json_response(render.message("missing_required_params"))
        if not isinstance(topic, str) or topic_name_error(topic):
            return json_response(render.message("invalid_topic_name"))
        try:  # the handler ignores what the module answers
            self._diag.register_topic(topic, self.world.now)
        except DiagnosticsError:
            pass
        return errors.ok()

    async def unregister_topic_metrics(self, topic: str) -> Response:
        if (refused := self._not_loaded("emqx_mod_topic_metrics")) is not None:
            return refused
        name = path_value(topic)
        if topic_name_error(name):
            return json_response(render.message("invalid_topic_name"))
        self._diag.unregister_topic(name)
        return errors.ok()

    async def unregister_all_topic_metrics(self) -> Response:
        if (refused := self._not_loaded("emqx_mod_topic_metrics")) is not None:
            return refused
        self._diag.unregister_all_topics()
        return errors.ok()

    # -- traces ------------------------------------------------------------------------------

    def _now_s(self) -> int:
        return self.world.now // 1000

    def _nodes(self) -> list[str]:
        return [n.name for n in self.world.running_nodes()]

    def _log(self, trace: Trace, node: str) -> bytes | None:
        """The node's log file of the trace, or None when there is none (not started yet)."""
        now_s = self._now_s()
        if not trace.started(now_s):
            return None
        return trace_log(trace, list(self.world.clients(node)), node, now_s).encode()

    def _trace_off(self) -> Response | None:
        return self._not_loaded("emqx_mod_trace")

    async def list_traces(self) -> Response:
        if (refused := self._trace_off()) is not None:
            return refused
        now_s, nodes = self._now_s(), self._nodes()
        traces = sorted(self._diag.traces.values(), key=lambda t: -t.start_at)
        data = []
        for t in traces:
            sizes = {n: len(self._log(t, n) or b"") for n in nodes}
            data.append(render.trace(t, t.status(now_s), sizes))
        return errors.ok(data=data)

    async def create_trace(self, body: Any = None) -> Response:
        if (refused := self._trace_off()) is not None:
            return refused
        try:
            self._diag.create_trace(body if isinstance(body, dict) else {}, self._now_s())
        except DiagnosticsError as exc:
            return _trace_error(exc.reason, exc.detail)
        return errors.ok()

    async def clear_traces(self) -> Response:
        if (refused := self._trace_off()) is not None:
            return refused
        self._diag.clear_traces()
        return errors.ok()

    async def delete_trace(self, name: str) -> Response:
        if (refused := self._trace_off()) is not None:
            return refused
        if not self._diag.delete_trace(path_value(name)):
            return _trace_error("NOT_FOUND", f"{path_value(name)} NOT FOUND")
        return errors.ok()

    async def stop_trace(self, name: str) -> Response:
        if (refused := self._trace_off()) is not None:
            return refused
        trace = self._diag.stop_trace(path_value(name))
        if trace is None:
            return _trace_error("NOT_FOUND", f"{path_value(name)} NOT FOUND")
        return errors.ok(data={"enable": False, "name": trace.name})

    def _trace(self, name: str) -> Trace | Response:
        """`get_trace_filename/1`'s `{error, not_found}`, as the handlers pass it on."""
        trace = self._diag.traces.get(path_value(name))
        return _trace_error("NOT_FOUND", "not_found") if trace is None else trace

    async def get_trace_detail(self, name: str) -> Response:
        """One `{size, mtime, node}` per node that has the file, folded by prepending."""
        found = self._trace(name)
        if isinstance(found, Response):
            return found
        mtime = min(self._now_s(), found.end_at)
        data: list[dict[str, Any]] = []
        for node in self._nodes():
            log = self._log(found, node)
            if log is not None:
                data.insert(0, {"size": len(log), "mtime": mtime, "node": node})
        return errors.ok(data=data)

    async def download_trace(self, name: str, **params: Any) -> Response:
        found = self._trace(name)
        if isinstance(found, Response):
            return found
        entries: list[tuple[str, bytes]] = []
        for node in self._nodes():
            log = self._log(found, node)
            if log is not None:
                entries.append((f"{node}-{found.filename()}", log))
        archive = zip_bytes(entries, min(self._now_s(), found.end_at) * 1000)
        headers = {"content-disposition": f"attachment; filename={found.name}.zip"}
        return Response(archive, 200, headers, media_type="application/octet-stream")

    async def read_trace_log(self, name: str, **params: Any) -> Response:
        """`stream_log_file/2`: `bytes` (default 1000) from `position` (default 0) of the
        node's file; `meta.bytes` echoes the request, `meta.position` is where it stopped."""
        nodes = self._nodes()
        node = str(params.get("node", nodes[0] if nodes else ""))
        if node not in {n.name for n in self.world.nodes}:
            return _trace_error("NOT_FOUND", "node not found")
        if node not in nodes:
            return _trace_error("NOT_FOUND", "BadRpc node down")
        found = self._trace(name)
        if isinstance(found, Response):
            return found
        position, size = int(params.get("position", 0)), int(params.get("bytes", 1000))
        log = self._log(found, node)
        if log is None:
            return _trace_error("NOT_FOUND", "enoent")
        chunk = log[position : position + size] if size > 0 else b""
        if not chunk and size > 0:  # eof: the position is the file's size
            return errors.ok(data={"meta": {"position": len(log), "bytes": size}, "items": ""})
        meta = {"position": position + len(chunk), "bytes": size}
        return errors.ok(data={"meta": meta, "items": chunk.decode(errors="replace")})

    # -- slow subscriptions -------------------------------------------------------------------

    async def list_slow_subscriptions(self, **params: Any) -> Response:
        if (refused := self._not_loaded("emqx_mod_slow_subs")) is not None:
            return refused
        running = set(self._nodes())
        rows = [s for s in self._diag.slow_subs if s.node in running]
        rows = sorted(rows, key=lambda s: -s.timespan)[:SLOW_SUBS_MAX]
        return errors.ok(data=[render.slow_sub(s) for s in rows])

    async def clear_slow_subscriptions(self) -> Response:
        self._diag.clear_slow_subs()
        return errors.ok()
