"""`/configs…`, `/configs_reset/{rootname}`, `/opentelemetry`: emqx_mgmt_api_configs.erl and
emqx_otel_api.erl (5.8.1) over the world's configuration roots (`World.settings`).

`GET /configs/{root}` is the root's raw tree with defaults filled and sensitive values as
`******` (obfuscate_raw_config/2). `PUT` replaces the root (emqx_conf:update/3 of the whole
root: fields left out go back to their defaults), `******` keeping the stored secret
(emqx_utils:deobfuscate/2). `global_zone` is its five roots in one map, each updated only when
it changed. `GET /configs` is every root as HOCON text (`text/plain`, the default, and any
`Accept` holding `*/*`) or the six ?ROOT_KEYS as JSON; `PUT /configs` loads HOCON text into
the roots (emqx_conf_cli:load_config/2, `merge` or `replace`). The `listeners` root is the
world's listeners (`listeners.py`), so a listener stopped through `/listeners` reads
`enable = false` here.
"""

from __future__ import annotations

import json
from typing import Any, cast

import connexion
from starlette.responses import Response

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.fixtures.config_roots import GLOBAL_ZONE, SENSITIVE
from mqtt_api_kit.fixtures.settings import DEFAULTS

from ..http import bare_response, text_response
from . import errors, hocon
from .listeners import merged, per_node, raw_config

_HIDDEN = "******"
# ?ROOT_KEYS: the roots the JSON form of GET /configs answers (the open-source edition's).
_ROOT_KEYS = ("dashboard", "alarm", "sys_topics", "sysmon", "log", "broker")
# emqx_conf_cli.erl: roots an update may not touch unless `ignore_readonly`.
_READONLY = ("cluster", "node", "rpc")


def _obfuscated(root: str, tree: Any) -> Any:
    shown = json.loads(json.dumps(tree))
    for owner, path in SENSITIVE:
        if owner != root or not isinstance(shown, dict):
            continue
        node: Any = shown
        for part in path[:-1]:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict) and path[-1] in node:
            node[path[-1]] = _HIDDEN
    return shown


def _deobfuscated(new: Any, old: Any) -> Any:
    """emqx_utils:deobfuscate/2: `******` stands for the stored value."""
    if isinstance(new, dict) and isinstance(old, dict):
        return {
            k: old[k] if v == _HIDDEN and k in old else _deobfuscated(v, old.get(k))
            for k, v in new.items()
        }
    return new


class ConfigsApi:
    def __init__(self, world: World) -> None:
        self.world = world

    # -- one root --------------------------------------------------------------------------

    def _root(self, root: str) -> Any:
        if root == "listeners":
            return self._listeners()
        if root == "retainer":  # its `enable` is the retainer's activity (`retainer.py`)
            return {
                "enable": self.world.plugin_active("emqx_retainer"),
                **self.world.settings.get(root),
            }
        return self.world.settings.get(root)

    def _listeners(self) -> dict[str, Any]:
        """The answering node's listeners as the `listeners` root holds them."""
        tree: dict[str, Any] = {}
        first = self.world.running_nodes()[:1]
        for node, id_, type_, listener in per_node(self.world):
            if first and node == first[0].name:
                tree.setdefault(type_, {})[id_.split(":", 1)[1]] = raw_config(type_, listener)
        return tree

    def _replace(self, root: str, given: Any) -> Any:
        """emqx_conf:update([Root], Conf, #{rawconf_with_defaults => true}): `given` over
        the root's defaults, stored whole; the stored tree."""
        old = self.world.settings.get(root)
        given = _deobfuscated(given, old)
        default = json.loads(json.dumps(DEFAULTS[root]))
        tree = (
            merged(default, given)
            if isinstance(given, dict) and isinstance(default, dict)
            else given
        )
        self.world.settings.replace(root, tree)
        return tree

    def _get(self, root: str) -> Response:
        return errors.ok(_obfuscated(root, self._root(root)))

    def _put(self, root: str, body: dict[str, Any]) -> Response:
        return errors.ok(_obfuscated(root, self._replace(root, body)))

    async def get_configs_sys_topics(self) -> Response:
        return self._get("sys_topics")

    async def update_configs_sys_topics(self, body: dict[str, Any]) -> Response:
        return self._put("sys_topics", body)

    async def get_configs_sysmon(self) -> Response:
        return self._get("sysmon")

    async def update_configs_sysmon(self, body: dict[str, Any]) -> Response:
        return self._put("sysmon", body)

    async def get_configs_alarm(self) -> Response:
        return self._get("alarm")

    async def update_configs_alarm(self, body: dict[str, Any]) -> Response:
        return self._put("alarm", body)

    async def get_configs_dashboard(self) -> Response:
        return self._get("dashboard")

    async def update_configs_dashboard(self, body: dict[str, Any]) -> Response:
        return self._put("dashboard", body)

    async def get_configs_broker(self) -> Response:
        return self._get("broker")

    async def update_configs_broker(self, body: dict[str, Any]) -> Response:
        return self._put("broker", body)

    async def get_configs_log(self) -> Response:
        return self._get("log")

    async def update_configs_log(self, body: dict[str, Any]) -> Response:
        return self._put("log", body)

    async def get_opentelemetry(self) -> Response:
        """emqx_otel_api:config/2 (get): get_raw/0, defaults filled."""
        return self._get("opentelemetry")

    async def update_opentelemetry(self, body: dict[str, Any]) -> Response:
        """emqx_otel_config:update/1: the whole root, answered with the new raw tree."""
        return self._put("opentelemetry", body)

    # -- global zone -----------------------------------------------------------------------

    async def get_global_zone(self) -> Response:
        return errors.ok({root: self.world.settings.get(root) for root in GLOBAL_ZONE})

    async def update_global_zone(self, body: dict[str, Any]) -> Response:
        """global_zone_configs(put, …): each root of the body that differs is updated; the
        answer holds the body's roots only."""
        answer: dict[str, Any] = {}
        for root, value in body.items():
            current = self.world.settings.get(root)
            answer[root] = self._replace(root, value) if value != current else value
        return errors.ok(answer)

    # -- reset -----------------------------------------------------------------------------

    async def reset_config(self, rootname: str, conf_path: str | None = None) -> Response:
        """config_reset/3 → emqx_conf:reset/2: the path's schema default, or 400
        NO_DEFAULT_VALUE when the schema has none there."""
        parts = [p for p in (conf_path or "").replace(" ", ".").split(".") if p]
        default: Any = DEFAULTS[rootname]
        for part in parts:
            if not isinstance(default, dict) or part not in default:
                return errors.bad_request("No Default Value.", "NO_DEFAULT_VALUE")
            default = default[part]
        tree = self.world.settings.get(rootname)
        if not parts:
            self.world.settings.replace(rootname, json.loads(json.dumps(default)))
            return bare_response(b"", 200)
        node = tree
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = json.loads(json.dumps(default))
        self.world.settings.replace(rootname, tree)
        return bare_response(b"", 200)

    # -- the whole configuration -----------------------------------------------------------

    def _all_roots(self) -> dict[str, Any]:
        roots = {root: _obfuscated(root, self._root(root)) for root in DEFAULTS}
        roots["listeners"] = self._listeners()
        return roots

    async def get_configs(self, key: str | None = None, node: str | None = None) -> Response:
        """configs(get, …): find_suitable_accept/2 picks text/plain unless only JSON is
        acceptable; no acceptable type is 400 INVALID_ACCEPT."""
        wanted = node or self.world.cluster.running_names()[0]
        headers = cast(Any, connexion.request).headers  # Starlette's, behind Connexion's proxy
        kind = _accepted(str(headers.get("accept") or "*/*"))
        if kind is None:
            return errors.bad_request("{error,no_suitable_accept}", "INVALID_ACCEPT")
        if wanted not in self.world.cluster.running_names():
            if kind == "application/json":  # get_configs_v1/1
                return errors.not_found(f"Bad node '{wanted}', reason not found")
            # get_configs_v2/1: the rpc to an unknown node answers {badrpc, nodedown}, which
            # hocon_pp:do/2 cannot print: the handler crashes
            return errors.internal_error("badrpc: nodedown")
        if kind == "application/json":
            return errors.ok({root: _obfuscated(root, self._root(root)) for root in _ROOT_KEYS})
        roots = self._all_roots()
        shown = {key: roots.get(key, {})} if key is not None else roots
        return text_response(hocon.dump(shown), 200)

    async def update_configs(
        self, body: Any, mode: str = "merge", ignore_readonly: bool = False
    ) -> Response:
        """configs(put, …) → emqx_conf_cli:load_config/2; a failure is 400 with the errors
        as a JSON text (`text/plain`, emqx_logger_jsonfmt:best_effort_json_obj/1)."""
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
        try:
            tree = hocon.parse(text)
        except hocon.HoconError as exc:
            return _failed({"errors": {"reason": exc.reason, "type": exc.kind, "line": exc.line}})
        readonly = [root for root in tree if root in _READONLY]
        if readonly and not ignore_readonly:
            return _failed({"errors": f"Cannot update read-only key '{readonly[0]}'."})
        tree = {k: v for k, v in tree.items() if k not in _READONLY}
        unknown = [root for root in tree if root not in DEFAULTS]
        if unknown:
            return _failed({"errors": {root: "unknown_root" for root in unknown}})
        bad = [root for root, value in tree.items() if not isinstance(value, type(DEFAULTS[root]))]
        if bad:
            return _failed({"errors": {root: "type_mismatch" for root in bad}})
        for root in sorted(tree):
            value = tree[root]
            if root == "retainer" and "enable" in value:
                on = value.pop("enable") is True
                for node in self.world.nodes:
                    self.world.set_plugin_active(node.name, "emqx_retainer", on)
            if mode == "merge" and isinstance(value, dict):
                value = merged(self.world.settings.get(root), value)
            self._replace(root, value)
        return bare_response(b"", 200)


def _failed(errors_: dict[str, Any]) -> Response:
    return text_response(json.dumps(errors_, separators=(",", ":")), 400)


def _accepted(accept: str) -> str | None:
    kinds = [part.split(";")[0].strip() for part in accept.split(",")]
    if "*/*" in kinds:
        return "text/plain"
    for kind in ("text/plain", "application/json"):
        if kind in kinds:
            return kind
    return None
