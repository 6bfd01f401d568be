"""`/relup…`: emqx_mgmt_api_relup.erl (5.8.1) and the hot-upgrade plugin it drives
(emqx-relup e2ea02a: emqx_relup_main.erl, emqx_relup_handler.erl).

The relup package is a plugin package, the world's `plugin_packages`, not a store of its own:
the upload is `/plugins/install`'s upload_install/2 after a name check, then `start`
(install_as_hidden_plugin/2); the package is the hidden (`"hidden": true` in release.json)
package named `emqx_relup` (get_installed_packages/0 reads emqx_plugins:list(hidden), which
`GET /plugins` leaves out); deleting it is `/plugins/{name}`'s delete_package/2.

What the plugin's code answers needs it loaded: ?ASSERT_PKG_READY and call_emqx_relup_main/3
ask code:is_loaded/erlang:function_exported, which stay true once a started package loaded
`emqx_relup_main` (a stop only soft-purges), while its calls go to the `emqx_relup_main`
process, which runs only while its package runs (else the call exits `noproc`). The target
version is the one `priv/<vsn>.tar.gz` of the package's emqx_relup application
(get_target_vsn/0; a throw there is handle_call's bad return: the call exits).

An upgrade runs check_and_unpack/4 then perform_upgrade/4 on each node. The mock checks what
the world knows: the running version against the target (already_upgraded_to_target_vsn) and
the release's `<target>.relup` paths for one from the running version (no_relup_entry). The
steps that act on the node's disk and code (write permission of `relup/`, the OTP, OS and
arch of the release, copying it, evaluating its instructions) are taken as passing: the
upgrade is logged successful and the node reports the target as its `current_vsn`. A mock
upgrade runs within one write, so `in-progress` is never seen.
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import UploadFile
from starlette.responses import Response

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.fixtures.plugin_packages import PluginPackage, UpgradeLog

from ..emqx_v4 import eterm
from ..emqx_v4.eterm import Atom, ErlMap
from . import cluster, errors, plugins, relup_package, render

_NOT_INSTALLED = "No relup package is installed"
_ONE_ONLY = (
    "Only one relup package can be installed at a time.Please delete the existing package first."
)
_MAIN = "emqx_relup_main"
_OPTS = ErlMap(((Atom("deploy_inplace"), Atom("false")),))
_ROOT = "/opt/emqx"  # code:root_dir/0 of the nodes (emqx_mgmt's sys_path)
_TMP = "/tmp"  # emqx_relup_file_utils:tmp_dir/0


def _s(text: str) -> list[int]:
    """An Erlang string (a list of characters), as emqx_relup prints versions and paths."""
    return [ord(c) for c in text]


def _map(**items: Any) -> ErlMap:
    return ErlMap(tuple((Atom(k), v) for k, v in items.items()))


def _call(request: Any) -> tuple[Any, ...]:
    return (Atom("gen_server"), Atom("call"), [Atom(_MAIN), request, Atom("infinity")])


class _Exit(Exception):
    """gen_server:call/3 exited: the caller's process dies with `reason` (a term)."""

    def __init__(self, reason: Any) -> None:
        super().__init__()
        self.reason = reason


class RelupApi:
    def __init__(self, world: World) -> None:
        self.world = world

    # -- the package -------------------------------------------------------------------

    def _packages(self) -> list[PluginPackage]:
        """get_installed_packages/0: hidden packages whose release.json `name` is emqx_relup."""
        return [
            p
            for p in self.world.plugin_packages.packages()
            if p.info.get("name") == relup_package.APP and p.info.get("hidden") is True
        ]

    def _server(self, request: Any) -> PluginPackage:
        """The running package whose emqx_relup_main serves `request`; it exits noproc when
        none runs, and with handle_call's bad return when get_target_vsn/0 throws."""
        running = [
            p for p in self.world.plugin_packages.packages() if p.running and p.relup is not None
        ]
        if not running:
            raise _Exit((Atom("noproc"), _call(request)))
        package = running[0]
        assert package.relup is not None
        if package.relup.target_vsn is None:
            priv = self._priv_dir(package)
            if package.relup.tarballs:
                files = [_s(f"plugins/{t}") for t in package.relup.tarballs]
                thrown = _map(err_type=Atom("multiple_relup_tar_files_found"), files=files)
            else:
                thrown = _map(dir=_s(priv), err_type=Atom("no_relup_tar_file_found"))
            raise _Exit(((Atom("bad_return_value"), thrown), _call(request)))
        return package

    @staticmethod
    def _priv_dir(package: PluginPackage) -> str:
        """code:priv_dir(emqx_relup): the app's directory under the plugins' install dir."""
        apps = [a for a in package.info.get("rel_apps", []) if str(a).startswith(relup_package.APP)]
        return f"plugins/{package.name_vsn}/{apps[0] if apps else relup_package.APP}/priv"

    def _delete_all(self) -> None:
        """delete_installed_packages/0: each by `emqx_relup-<rel_vsn>`."""
        for package in self._packages():
            self.world.plugin_packages.uninstall(
                f"{relup_package.APP}-{package.info.get('rel_vsn')}"
            )

    async def upload_relup_package(self, plugin: Any = None, **_: Any) -> Response:
        """'/relup/package/upload'(post, …): the clause wants the form's `plugin` field (a
        request without it matches no clause: the handler crashes)."""
        if not isinstance(plugin, UploadFile) or not plugin.filename:
            return errors.internal_error("error, function_clause")
        file_name = plugin.filename
        head, dash, _tail = file_name.partition("-")
        if head != relup_package.APP or not dash:  # assert_relup_pkg_name/1
            return errors.bad_request(f"Invalid relup package name: {file_name}")
        if self._packages():
            return errors.bad_request(_ONE_ONLY)
        answer = plugins.install(self.world, file_name, await plugin.read())
        if answer.status_code != 204:
            return answer
        installed = self.world.plugin_packages.package(plugins.trim(file_name))
        if installed is not None:  # ensure_action(NameVsn, start) answers ok whatever happens
            plugins.start(self.world, installed)
        return errors.no_content()

    async def get_relup_package(self) -> Response:
        """'/relup/package'(get, _) and get_package_info/1."""
        found = self._packages()
        if not found:
            return errors.not_found(_NOT_INSTALLED)
        package = found[0]
        if not self.world.plugin_packages.loaded(_MAIN):
            self._delete_all()  # "the corrupted plugin will be deleted"
            return errors.internal_error(_NOT_INSTALLED)
        try:
            server = self._server(Atom("get_package_info"))
        except _Exit as crashed:
            return _crashed(crashed)
        relup = server.relup
        assert relup is not None and relup.target_vsn is not None
        target = relup.target_vsn
        if not relup.relup_file:  # load_relup_files/2 of the unpacked release
            unpacked = f"{_TMP}/{target}_hash_{relup.digest}"
            self._delete_all()
            return errors.internal_error(eterm.term(_unreadable(unpacked, target)))
        info = package.info
        vsn = str(info.get("rel_vsn"))
        return errors.ok(
            {
                "name": f"{relup_package.APP}-{vsn}",
                "target_vsn": vsn,
                "built_on_otp_release": info.get("built_on_otp_release", "unknown"),
                "applicable_vsns": [source for source, _ in relup.entries],
                "build_date": info.get("git_commit_or_build_date", "unknown"),
                "change_logs": list(relup.change_logs),
                "md5_sum": package.md5sum,
            }
        )

    async def delete_relup_package(self) -> Response:
        self._delete_all()
        return errors.no_content()

    # -- status ------------------------------------------------------------------------

    def _status(self, node: str) -> dict[str, Any]:
        """get_upgrade_status/0 on `node`."""
        loaded = self.world.plugin_packages.loaded(_MAIN)
        logs = self.world.plugin_packages.upgrade_logs(node) if loaded else ()
        status = "in-progress" if logs and logs[-1].finished_at is None else "idle"
        return {
            "node": node,
            "role": "core",
            "live_connections": cluster.stats(self.world, node)["live_connections.count"],
            "current_vsn": self._version(node),
            "status": status,
            "upgrade_history": [_log(entry) for entry in logs],
        }

    def _version(self, node: str) -> str:
        """emqx_release:version/0: the target of the node's last successful hot upgrade."""
        done = [
            log.target_vsn
            for log in self.world.plugin_packages.upgrade_logs(node)
            if log.result == "success"
        ]
        return done[-1] if done else cluster.VERSION

    async def get_relup_status(self) -> Response:
        return errors.ok([self._status(n) for n in self.world.cluster.running_names()])

    async def get_relup_node_status(self, node: str) -> Response:
        found = cluster.with_node(self.world, node)
        if isinstance(found, Response):
            return found
        return errors.ok(self._status(found.name))

    # -- upgrade -----------------------------------------------------------------------

    def _upgrade(self, node: str) -> Any:
        """emqx_relup_upgrade/0 on `node`: `no_pkg_installed`, `ok` or `(error, Reason)`."""
        if not self.world.plugin_packages.loaded(_MAIN):
            return Atom("no_pkg_installed")
        server = self._server((Atom("upgrade"), _OPTS))
        relup = server.relup
        assert relup is not None and relup.target_vsn is not None
        current, target = self._version(node), relup.target_vsn
        deploy = f"{_ROOT}/relup/{target}"
        reason: ErlMap | None = None
        if current == target:  # assert_not_same_vsn/2
            reason = _map(err_type=Atom("already_upgraded_to_target_vsn"), vsn=_s(target))
        elif not relup.relup_file:  # get_relup_entry/3 → load_relup_files/2
            reason = _unreadable(deploy, target)
        elif (current, target) not in relup.entries:
            reason = _map(
                err_type=Atom("no_relup_entry"),
                from_vsn=_s(current),
                relup_dir=_s(deploy),
                target_vsn=_s(target),
            )
        now = self.world.now
        if reason is None:
            self.world.plugin_packages.log_upgrade(
                node, UpgradeLog(now, current, target, now, "success")
            )
            return Atom("ok")
        reason = ErlMap((*reason.items, (Atom("stage"), Atom("check_and_unpack"))))
        err_type = next(v.name for k, v in reason.items if k.name == "err_type")
        details = eterm.term(ErlMap(tuple(kv for kv in reason.items if kv[0].name != "err_type")))
        self.world.plugin_packages.log_upgrade(
            node, UpgradeLog(now, current, target, now, (err_type, details))
        )
        return ("error", reason)

    def _on_nodes(self, nodes: list[str]) -> Response:
        """run_upgrade_on_nodes/1: rpc:multicall; the first node not `ok` decides."""
        results: list[Any] = []
        for node in nodes:
            try:
                results.append(self._upgrade(node))
            except _Exit as crashed:
                results.append((Atom("badrpc"), (Atom("EXIT"), crashed.reason)))
        failed = [r for r in results if r != Atom("ok")]
        if not failed:
            return errors.no_content()
        first = failed[0]
        if first == Atom("no_pkg_installed"):
            return errors.bad_request(_NOT_INSTALLED)
        if isinstance(first, tuple) and first[0] == Atom("badrpc"):
            return errors.internal_error(eterm.term(first[1]))
        return _upgrade_return(first[1])

    async def upgrade_relup(self) -> Response:
        if not self.world.plugin_packages.loaded(_MAIN):  # ?ASSERT_PKG_READY
            return errors.bad_request(_NOT_INSTALLED)
        return self._on_nodes(self.world.cluster.running_names())

    async def upgrade_relup_node(self, node: str) -> Response:
        if not self.world.plugin_packages.loaded(_MAIN):  # ?ASSERT_PKG_READY
            return errors.bad_request(_NOT_INSTALLED)
        found = cluster.with_node(self.world, node)
        if isinstance(found, Response):
            return found
        if found.name != self.world.cluster.running_names()[0]:
            return self._on_nodes([found.name])
        try:  # the answering node: run_upgrade/0 in the handler's own process
            outcome = self._upgrade(found.name)
        except _Exit as crashed:
            return _crashed(crashed)
        if outcome == Atom("no_pkg_installed"):
            return errors.bad_request(_NOT_INSTALLED)
        if outcome == Atom("ok"):
            return errors.no_content()
        return _upgrade_return(outcome[1])


def _unreadable(directory: str, target: str) -> ErlMap:
    """load_relup_files/2's throw when the release holds no `<target>.relup`."""
    relup_file = f"{directory}/releases/{target}/{target}.relup"
    return _map(
        err_type=Atom("failed_to_read_relup_file"), file=_s(relup_file), reason=Atom("enoent")
    )


def _upgrade_return(reason: ErlMap) -> Response:
    """upgrade_return/1: a check_and_unpack failure is the caller's (400), others 500."""
    message = eterm.term(reason)
    if (Atom("stage"), Atom("check_and_unpack")) in reason.items:
        return errors.bad_request(message)
    return errors.internal_error(message)


def _crashed(crashed: _Exit) -> Response:
    """minirest_handler:apply_callback/4 on a handler that exited: `exit, Reason, Stack`; the
    mock prints no stack (the Erlang one is not the mock's to know)."""
    return errors.internal_error(f"exit, {eterm.term(crashed.reason)}")


def _log(entry: UpgradeLog) -> dict[str, Any]:
    """format_upgrade_log/1: RFC 3339 times (`<<>>` while unset), the result as the error's
    `err_type` and printed `details`, or `success`."""
    result: Any = ""
    if isinstance(entry.result, tuple):
        result = {"err_type": entry.result[0], "details": entry.result[1]}
    elif entry.result is not None:
        result = entry.result
    return {
        "started_at": render.rfc3339_ms(entry.started_at),
        "finished_at": "" if entry.finished_at is None else render.rfc3339_ms(entry.finished_at),
        "from_vsn": entry.from_vsn,
        "target_vsn": entry.target_vsn,
        "upgrade_opts": {"deploy_inplace": False},
        "status": entry.status,
        "result": result,
    }
