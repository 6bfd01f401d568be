"""`/data/…`: emqx_mgmt_api_data_backup.erl and emqx_mgmt_data_backup.erl (5.8.1) — data
backups exported to, uploaded to and imported from a node's backup directory.

The files are the world's stored backup files (`World.files`, also 4.x's `/data/export`
store); EMQX 5 lists only `*.tar.gz` ones (`backup_files/0`). An archive is what the broker
writes: `<name>/META.hocon` (`version`, `edition`) and `<name>/cluster.hocon` (the
configuration roots), gzip-compressed tar. Upload and import check it as the broker does:
the `.tar.gz` name, every member under `<name>/` (`bad_archive_dir`), META.hocon with an
edition (`ce`, or `ee` which CE refuses) and a version not newer than 5.8, a cluster.hocon
that parses. Import applies the roots the world keeps (`IMPORTED_ROOTS`; their switches —
retainer, delayed, slow subscriptions — as their own APIs turn them).

Deviations, from the world's limits: the built-in database tables (`<name>/mnesia/…`, in
mnesia's backup format) are neither written nor read; a file on another node is imported
without first being copied to the core node (the world keeps one file per name).
"""

from __future__ import annotations

import gzip
import io
import re
import tarfile
import time
import zlib
from typing import Any

from starlette.datastructures import UploadFile
from starlette.responses import Response

from mqtt_api_kit.fixtures import StoredFile, World
from mqtt_api_kit.fixtures.settings import DEFAULTS

from ..paths import path_value
from . import errors, hocon, paging, render
from .delayed import MODULE as DELAYED_MODULE
from .slow_subs import MODULE as SLOW_SUBS_MODULE

TAR_SUFFIX = ".tar.gz"
VERSION = (5, 8)  # emqx_release:version/0 of 5.8.1, without the patch
MAX_UNPACKED = 16 * 1024 * 1024  # the mock's bound on what one archive may unpack to
# Configuration roots an import applies (CONF_KEYS of emqx_mgmt_data_backup.erl, and the
# auto_subscribe backup importer), of those the world keeps.
IMPORTED_ROOTS = ("delayed", "rewrite", "retainer", "prometheus", "slow_subs", "auto_subscribe")
EXPORTED_ROOTS = (*IMPORTED_ROOTS, "rule_engine", "authentication", "authorization")
_NOT_FOUND = "backup file not found"
_BAD_NAME = "invalid backup name: file name must have .tar.gz extension"


class BackupError(ValueError):
    """emqx_mgmt_data_backup:format_error/1's text of a refusal."""


def _info(f: StoredFile) -> dict[str, Any]:
    """list_files/0's `backup_file_info`."""
    seconds = f.created_at // 1000
    return {
        "filename": f.name,
        "size": len(f.content),
        "created_at": render.rfc3339_s(seconds),
        "created_at_sec": seconds,
        "node": f.node,
    }


def _valid_name(name: str) -> bool:
    """validate_backup_name/1: a base name ending in `.tar.gz` (the suffix alone will not do:
    filename:basename("x/.tar.gz", ".tar.gz") keeps it)."""
    return "/" not in name and name.endswith(TAR_SUFFIX) and name != TAR_SUFFIX


def _members(archive: bytes, base: str) -> dict[str, bytes]:
    """extract_backup/1: erl_tar's table (a corrupt archive is its error), every member under
    `<base>/`, then the members' bytes (bounded: MAX_UNPACKED in all)."""
    try:
        with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
            members = tar.getmembers()
            if any(m.name.split("/")[0] != base for m in members):
                raise BackupError(
                    "invalid backup archive content: all files in the archive must be under "
                    "<backup name> directory"
                )
            out: dict[str, bytes] = {}
            total = 0
            for member in members:
                if not member.isfile():
                    continue
                total += member.size
                if total > MAX_UNPACKED:
                    raise BackupError("eof")
                handle = tar.extractfile(member)
                out[member.name] = handle.read() if handle is not None else b""
            return out
    except (tarfile.TarError, gzip.BadGzipFile, EOFError, OSError, zlib.error) as exc:
        # erl_tar:format_error/1 of what the table or extraction met
        raise BackupError("Unexpected end of file") from exc


def _version(text: object) -> tuple[int, int]:
    """parse_version_no_patch/1: Major.Minor[...]; each part's leading digits."""
    parts = str(text).split(".")
    if len(parts) < 2:
        raise BackupError("invalid backup archive content: wrong EMQX version value in META.hocon")
    numbers = []
    for part in parts[:2]:
        digits = re.match(r"[0-9]+", part)
        if digits is None:
            raise BackupError(
                "invalid backup archive content: wrong EMQX version value in META.hocon"
            )
        numbers.append(int(digits.group()))
    return numbers[0], numbers[1]


def read_backup(name: str, archive: bytes) -> dict[str, Any]:
    """Unpack and validate an archive (do_upload/2, do_import/2); its cluster.hocon tree."""
    if not _valid_name(name):
        raise BackupError(_BAD_NAME)
    base = name[: -len(TAR_SUFFIX)]
    members = _members(archive, base)
    try:
        meta = hocon.parse(members[f"{base}/META.hocon"].decode("utf-8"))
    except (KeyError, UnicodeDecodeError, hocon.HoconError):
        meta = {}
    if "edition" not in meta or "version" not in meta:
        raise BackupError("invalid backup archive file: missing META.hocon")
    edition = meta["edition"]
    if edition not in ("ce", "ee"):
        raise BackupError("invalid backup archive content: wrong EMQX edition value in META.hocon")
    if edition == "ee":
        raise BackupError("importing EMQX Enterprise data backup to EMQX is not allowed")
    major, minor = _version(meta["version"])
    if major > VERSION[0] or minor > VERSION[1]:  # check_version/1, as it compares
        raise BackupError(
            f'[warning] Backup version "{meta["version"]}" is newer than EMQX version "5.8.1", '
            "import is not allowed.\n"
        )
    conf = members.get(f"{base}/cluster.hocon")
    if conf is None:
        return {}
    try:
        return hocon.parse(conf.decode("utf-8"))
    except (UnicodeDecodeError, hocon.HoconError) as exc:
        raise BackupError(f"cluster.hocon: {exc}") from exc


def write_backup(base: str, roots: dict[str, Any], at_ms: int) -> bytes:
    """do_export/3: META.hocon, then cluster.hocon, gzip-compressed tar."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        for name, text in (
            ("META.hocon", hocon.dump({"edition": "ce", "version": "5.8.1"})),
            ("cluster.hocon", hocon.dump(roots)),
        ):
            data = text.encode("utf-8")
            info = tarfile.TarInfo(f"{base}/{name}")
            info.size, info.mtime, info.mode = len(data), at_ms // 1000, 0o644
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def _merged(defaults: Any, given: Any) -> Any:
    """A root as emqx_conf stores an update: the schema's defaults under what is given."""
    if not (isinstance(defaults, dict) and isinstance(given, dict)):
        return given
    return {**defaults, **{k: _merged(defaults.get(k), v) for k, v in given.items()}}


class DataBackupApi:
    def __init__(self, world: World) -> None:
        self.world = world

    def _answering(self) -> str:
        return self.world.cluster.running_names()[0]

    def _node(self, given: object) -> str | Response:
        """safe_parse_node/1: a running node, else 400 `Unknown node: …`; absent: this one."""
        if given is None:
            return self._answering()
        if str(given) not in self.world.cluster.running_names():
            return errors.bad_request(f"Unknown node: {given}")
        return str(given)

    def _roots(self) -> dict[str, Any]:
        world = self.world
        roots: dict[str, Any] = {}
        for name in EXPORTED_ROOTS:
            value = world.settings.get(name)
            if value not in ({}, []):
                roots[name] = value
        roots["retainer"] = {
            **roots.get("retainer", {}),
            "enable": world.plugin_active("emqx_retainer"),
        }
        roots["delayed"] = {
            "enable": self._module_on(DELAYED_MODULE),
            "max_delayed_messages": world.delayed.max_messages,
        }
        if "slow_subs" in roots:
            roots["slow_subs"]["enable"] = self._module_on(SLOW_SUBS_MODULE)
        return roots

    def _module_on(self, name: str) -> bool:
        node = self.world.cluster.node(self._answering())
        module = node.modules.get(name) if node else None
        return bool(module and module.active)

    async def export_data(self) -> Response:
        now = self.world.tick()
        t = time.gmtime(now // 1000)
        base = "emqx-export-" + time.strftime("%Y-%m-%d-%H-%M-%S", t) + f".{now % 1000:03d}"
        name = base + TAR_SUFFIX
        stored = StoredFile(name, write_backup(base, self._roots(), now), self._answering(), now)
        self.world.store_file(stored)
        return errors.ok(_info(stored))

    async def list_data_files(self, **query: Any) -> Response:
        page, limit = paging.params(query)
        running = set(self.world.cluster.running_names())
        files = [f for f in self.world.files.values() if f.node in running and _valid_name(f.name)]
        # list_backup_files/0: newest first, then by name descending
        files.sort(key=lambda f: (f.created_at // 1000, f.name), reverse=True)
        rows, hasnext = paging.page_of(files, page, limit)
        meta = paging.meta(page, limit, hasnext, len(files))
        return errors.ok({"data": [_info(f) for f in rows], "meta": meta})

    def _file(self, filename: str, node: object) -> StoredFile | Response:
        where = self._node(node)
        if isinstance(where, Response):
            return where
        name = path_value(filename)
        if not _valid_name(name):
            return errors.bad_request(_BAD_NAME)
        found = self.world.files.get(name)
        if found is None or found.node != where:
            return errors.not_found(_NOT_FOUND)
        return found

    async def download_data_file(self, filename: str, node: str | None = None) -> Response:
        """read_file/1's bytes as minirest sends a binary: with its default JSON type."""
        found = self._file(filename, node)
        if isinstance(found, Response):
            return found
        return Response(found.content, 200, media_type="application/json")

    async def delete_data_file(self, filename: str, node: str | None = None) -> Response:
        found = self._file(filename, node)
        if isinstance(found, Response):
            return found
        self.world.delete_file(found.name)
        return errors.no_content()

    async def upload_data_file(self, filename: Any = None, **_form: Any) -> Response:
        """data_files(post, …): the `filename` part of a form; the node that answers keeps it."""
        if not isinstance(filename, UploadFile):
            return errors.bad_request("Missing required parameter: filename")
        name = str(filename.filename or "")
        content = await filename.read()
        if name in self.world.files:
            return errors.bad_request(f'Backup file "{name}" already exists')
        try:
            read_backup(name, content)
        except BackupError as exc:
            return errors.bad_request(str(exc))
        self.world.store_file(StoredFile(name, content, self._answering(), self.world.tick()))
        return errors.no_content()

    async def import_data(self, body: dict[str, Any]) -> Response:
        where = self._node(body.get("node"))
        if isinstance(where, Response):
            return where
        name = str(body["filename"])
        found = self.world.files.get(name)
        core = self._answering()
        if found is None or found.node not in (where, core) or "/" in name:
            return errors.bad_request(_NOT_FOUND)  # response({error, not_found}): 400
        try:
            roots = read_backup(name, found.content)
        except BackupError as exc:
            return errors.bad_request(str(exc))
        self._apply(roots)
        return errors.no_content()

    def _apply(self, roots: dict[str, Any]) -> None:
        """import_generic_conf/1 for the roots the world keeps; the switches as their APIs."""
        world = self.world
        nodes = world.cluster.running_names()
        for name in IMPORTED_ROOTS:
            tree = roots.get(name)
            if tree is None:
                continue
            if name == "delayed" and isinstance(tree, dict):
                if isinstance(tree.get("max_delayed_messages"), int):
                    world.delayed.configure(max(0, tree["max_delayed_messages"]))
                self._switch(nodes, DELAYED_MODULE, tree.get("enable"))
                continue
            if isinstance(tree, dict) and name in ("retainer", "slow_subs"):
                tree = dict(tree)
                enable = tree.pop("enable", None)
                if name == "retainer":
                    tree = _merged(DEFAULTS["retainer"], tree)
                    if isinstance(enable, bool):
                        for node in nodes:
                            world.set_plugin_active(node, "emqx_retainer", enable)
                else:
                    self._switch(nodes, SLOW_SUBS_MODULE, enable)
            world.settings.replace(name, tree)

    def _switch(self, nodes: list[str], module: str, enable: object) -> None:
        if isinstance(enable, bool):
            for node in nodes:
                self.world.set_module_active(node, module, enable)
