"""`/plugins…`: emqx_mgmt_api_plugins.erl and emqx_plugins.erl (5.8.1) over the world's plugin
packages (`World.plugin_packages`).

An upload (`POST /plugins/install`, form field `plugin`) is checked as the broker checks it:
the file name gives `<name>-<vsn>` (upload_install/2 trims the characters of ".tar.gz" off its
end, string:trim/3 with a character set), another version of the same name is
ALREADY_INSTALLED, the archive must be a gzip'd tar holding `<name>-<vsn>/release.json` whose
`name`, `rel_vsn`, `rel_apps` (non-empty `<app>-<vsn>` strings) and `description` agree
(check_plugin/3). Then it is listed on every node, stopped and not configured. `start` runs it
when each of its `rel_apps` has `ebin/<app>.app` in the archive (load_code_start_apps/2),
and enables it; `stop` stops and disables it. Listing puts the configured ones first, in boot
order (do_list/2). The open-source edition has no Avro schemas: `/schema` answers nulls.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from typing import Any

from starlette.datastructures import UploadFile
from starlette.responses import Response

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.fixtures.plugin_packages import PluginPackage

from ..paths import path_value
from . import errors, hocon, relup_package

_MAX_MEMBERS = 10_000
_MAX_UNPACKED = 256 * 1024 * 1024  # declared member sizes; beyond: not a package we unpack
_MAX_READ = 1024 * 1024  # release.json, README.md, config.hocon are read up to this size
_NOT_FOUND = ("NOT_FOUND", "Plugin Not Found")
_FORM = "form-data should be `plugin=@packagename-vsn.tar.gz;type=application/x-gzip`"


class _Refused(Exception):
    """emqx_plugins' `{error, #{msg := Msg}}`: the install is BAD_PLUGIN_INFO `Msg: File`."""


def trim(name: str, chars: str = ".tar.gz") -> str:
    """string:trim(Name, trailing, ".tar.gz"): any of those characters, from the end."""
    end = len(name)
    while end and name[end - 1] in chars:
        end -= 1
    return name[:end]


def _erl_binary(text: str) -> str:
    return "<<" + json.dumps(text) + ">>"


def _read(blob: bytes, name_vsn: str) -> tuple[dict[str, Any], tuple[str, ...], dict[str, bytes]]:
    """The release information, member names and small files of the archive (bounded)."""
    wanted = {f"{name_vsn}/{f}": f for f in ("release.json", "README.md", "config.hocon")}
    members: list[str] = []
    small: dict[str, bytes] = {}
    unpacked = 0
    try:
        with tarfile.open(fileobj=io.BytesIO(blob), mode="r|gz") as archive:
            for member in archive:
                members.append(member.name.removeprefix("./"))
                unpacked += max(member.size, 0)
                if len(members) > _MAX_MEMBERS or unpacked > _MAX_UNPACKED:
                    raise _Refused("bad_plugin_package")
                short = wanted.get(members[-1])
                if short is not None and member.isfile() and member.size <= _MAX_READ:
                    handle = archive.extractfile(member)
                    small[short] = handle.read() if handle else b""
    except (tarfile.TarError, gzip.BadGzipFile, EOFError, OSError, ValueError) as exc:
        raise _Refused("bad_plugin_package") from exc
    if "release.json" not in small:
        raise _Refused("bad_info_file")
    try:
        info = hocon.parse(small["release.json"].decode("utf-8"))
    except (UnicodeDecodeError, hocon.HoconError) as exc:
        raise _Refused("bad_info_file") from exc
    _check(info, name_vsn)
    return info, tuple(members), small


def _check(info: dict[str, Any], name_vsn: str) -> None:
    """check_plugin/3."""
    if not all(k in info for k in ("name", "rel_vsn", "rel_apps", "description")):
        raise _Refused("bad_info_file_content")
    if f"{info['name']}-{info['rel_vsn']}" != name_vsn:
        raise _Refused("name_vsn_mismatch")
    apps = info["rel_apps"]
    if not (isinstance(apps, list) and apps and all(isinstance(a, str) and "-" in a for a in apps)):
        raise _Refused("bad_rel_apps")


def _startable(package: PluginPackage) -> bool:
    """load_code_start_apps/2: each app's `.app` file is where the code loader looks."""
    names = set(package.members)
    for app in package.info.get("rel_apps", []):
        app_name = str(app).split("-", 1)[0]
        if f"{package.name_vsn}/{app}/ebin/{app_name}.app" not in names:
            return False
    return True


def install(world: World, file_name: str, blob: bytes) -> Response:
    """upload_install/2 once the form is read (emqx_mgmt_api_relup's upload calls it too);
    a package carrying the emqx_relup application keeps what that plugin reads of it."""
    name_vsn = trim(file_name)
    if world.plugin_packages.package(name_vsn) is not None:
        return errors.bad_request(
            f"{_erl_binary(file_name)} is already installed", "ALREADY_INSTALLED"
        )
    if "-" not in file_name:
        return errors.bad_request(f"bad_name_vsn:{file_name}", "BAD_PLUGIN_INFO")
    app_name = file_name.split("-", 1)[0]
    others = [
        p.name_vsn
        for p in world.plugin_packages.packages()
        if p.name_vsn.startswith(app_name + "-")
    ]
    if others:
        listed = ",".join(json.dumps(f"plugins/{nv}") for nv in others)
        return errors.bad_request(f"[{listed}] already installed", "ALREADY_INSTALLED")
    try:
        info, members, small = _read(blob, name_vsn)
    except _Refused as refused:
        return errors.bad_request(f"{refused}: {file_name}", "BAD_PLUGIN_INFO")
    config = None
    if "config.hocon" in small:
        try:
            config = hocon.parse(small["config.hocon"].decode("utf-8"))
        except (UnicodeDecodeError, hocon.HoconError):
            return errors.bad_request(f"bad_plugin_config: {file_name}", "BAD_PLUGIN_INFO")
    md5 = hashlib.md5(blob, usedforsecurity=False).hexdigest()
    readme = small.get("README.md", b"").decode("utf-8", "replace")
    relup = relup_package.read(blob, name_vsn, info.get("rel_apps"), members)
    package = PluginPackage(name_vsn, info, md5, members, config, readme=readme, relup=relup)
    world.plugin_packages.install(package)
    return errors.no_content()


def start(world: World, package: PluginPackage) -> None:
    """ensure_action(NameVsn, start): ensure_started/1 (when it can), then ensure_enabled."""
    world.plugin_packages.set_running(package.name_vsn, _startable(package))
    world.plugin_packages.set_state(package.name_vsn, True)


class PluginsApi:
    def __init__(self, world: World) -> None:
        self.world = world

    def _shown(self, package: PluginPackage, readme: bool = False) -> dict[str, Any]:
        """format_plugins/1: release.json, md5sum and each running node's status (the
        answering node last: aggregate_status/2 prepends)."""
        status = "running" if package.running else "stopped"
        nodes = self.world.cluster.running_names()
        shown = {
            **package.info,
            "md5sum": package.md5sum,
            "running_status": [{"node": n, "status": status} for n in reversed(nodes)],
        }
        if readme:
            shown["readme"] = package.readme
        return shown

    def _ordered(self) -> list[PluginPackage]:
        """do_list/2: the configured ones first, in boot order, then the rest."""
        packages = {p.name_vsn: p for p in self.world.plugin_packages.packages()}
        first = [
            packages.pop(nv) for nv, _ in self.world.plugin_packages.configured() if nv in packages
        ]
        return first + list(packages.values())

    async def list_plugins(self) -> Response:
        return errors.ok(
            [self._shown(p) for p in self._ordered() if p.info.get("hidden") is not True]
        )

    async def install_plugin(self, plugin: Any = None, **_: Any) -> Response:
        """upload_install/2 (Connexion hands the form's file field over as `plugin`)."""
        if not isinstance(plugin, UploadFile) or not plugin.filename:
            return errors.bad_request(_FORM, "BAD_FORM_DATA")
        return install(self.world, plugin.filename, await plugin.read())

    def _installed(self, name: str) -> PluginPackage | None:
        return self.world.plugin_packages.package(path_value(name))

    async def get_plugin(self, name: str) -> Response:
        """plugin(get, …): describe/1 fills the README in."""
        found = self._installed(name)
        if found is None:
            return errors.not_found(path_value(name))
        return errors.ok(self._shown(found, readme=True))

    async def delete_plugin(self, name: str) -> Response:
        """plugin(delete, …) → delete_package/2: stopped, disabled, uninstalled, deleted."""
        found = self._installed(name)
        if found is None:
            return errors.not_found(f"plugins/{path_value(name)}/release.json does not exist")
        self.world.plugin_packages.uninstall(found.name_vsn)
        return errors.no_content()

    async def plugin_action(self, name: str, action: str) -> Response:
        """update_plugin/2 → ensure_action/3, whose results are ignored: always 204."""
        found = self._installed(name)
        if found is not None:
            if action == "start":
                start(self.world, found)
            else:
                self.world.plugin_packages.set_running(found.name_vsn, False)
                self.world.plugin_packages.set_state(found.name_vsn, False)
        return errors.no_content()

    async def get_plugin_config(self, name: str) -> Response:
        """plugin_config(get, …): the config map, sent with the content type `'application/json'`
        (quotes included, as the handler writes it)."""
        found = self._installed(name)
        if found is None:
            return errors.error(404, *_NOT_FOUND)
        if found.config is None:
            return errors.bad_request("Plugin Config Not Found", "BAD_CONFIG")
        body = json.dumps(found.config, separators=(",", ":")).encode()
        return Response(body, 200, {"content-type": "'application/json'"})

    async def update_plugin_config(self, name: str, body: dict[str, Any]) -> Response:
        """plugin_config(put, …): a package without an Avro schema takes the map as it is."""
        found = self._installed(name)
        if found is None:
            return errors.error(404, *_NOT_FOUND)
        self.world.plugin_packages.put_config(found.name_vsn, body)
        return errors.no_content()

    async def get_plugin_schema(self, name: str) -> Response:
        """plugin_schema(get, …): format_plugin_avsc_and_i18n/1 of the open-source edition."""
        if self._installed(name) is None:
            return errors.error(404, *_NOT_FOUND)
        return errors.ok({"avsc": None, "i18n": None})

    async def move_plugin(self, name: str, body: dict[str, Any] | None = None) -> Response:
        """update_boot_order/2: parse_position/2, then ensure_enabled/3 (which enables it)."""
        name_vsn = path_value(name)
        position = (body or {}).get("position")
        refused = _position_error(position, name_vsn)
        if refused is not None:
            return errors.bad_request(refused, "BAD_POSITION")
        assert isinstance(position, str)
        if self.world.plugin_packages.package(name_vsn) is None:
            reason = {
                "msg": "bad_info_file",
                "reason": "enoent",
                "path": f"plugins/{name_vsn}/release.json",
            }
            return errors.bad_request(json.dumps(reason, separators=(",", ":")), "MOVE_FAILED")
        if not self.world.plugin_packages.anchored(position):
            anchor = position.partition(":")[2]
            reason = {
                "msg": "position_anchor_plugin_not_configured",
                "hint": "maybe_install_and_configure",
                "name_vsn": anchor,
            }
            return errors.bad_request(json.dumps(reason, separators=(",", ":")), "MOVE_FAILED")
        self.world.plugin_packages.set_state(name_vsn, True, position)
        return errors.no_content()


def _position_error(position: Any, name_vsn: str) -> str | None:
    """parse_position/2."""
    if position in ("front", "rear"):
        return None
    if isinstance(position, str):
        where, colon, target = position.partition(":")
        if colon and where in ("before", "after"):
            if target == name_vsn:
                return f"Invalid parameter. Cannot be placed {where} itself"
            if not target:
                return f"Invalid parameter. Cannot be placed {where} an empty target"
            return None
    shown = json.dumps(position) if isinstance(position, str) else str(position)
    return '#{<<"position">> => ' + shown + "}"
