"""What EMQX's hot-upgrade plugin reads out of a relup package (emqx-relup e2ea02a,
emqx_relup_handler.erl), taken from the archive once, when it is installed.

A relup package is a plugin package (`emqx_relup-<target>.tar.gz`) whose `emqx_relup-<vsn>`
application carries, in its `priv` directory, the release tarball `<target>.tar.gz`
(get_target_vsn/0 wants exactly one). That tarball holds `releases/<target>/<target>.relup`,
the upgrade paths as a printed Erlang list of maps (`target_version`, `from_version`, …, which
load_relup_files/2 evaluates with file:script/1), and `releases/<target>/change_log*.md`
(read_change_log_files/2). The mock reads the paths' version literals out of that text; it does
not evaluate the script. Everything read is bounded: the release tarball only up to
`_MAX_RELEASE` bytes, each file in it up to `_MAX_FILE`.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import re
import tarfile

from mqtt_api_kit.fixtures.plugin_packages import RelupRelease

__all__ = ["APP", "read"]

APP = "emqx_relup"
_MAX_RELEASE = 64 * 1024 * 1024
_MAX_FILE = 1024 * 1024
_MAX_MEMBERS = 100_000
_VERSION = re.compile(r'\b(from_version|target_version)\s*=>\s*(?:<<)?"([^"]*)"')


def _app_dir(name_vsn: str, rel_apps: object) -> str | None:
    """The `<name_vsn>/emqx_relup-<vsn>` directory (code:priv_dir(emqx_relup)'s parent)."""
    if not isinstance(rel_apps, list):
        return None
    for app in rel_apps:
        if isinstance(app, str) and app.split("-", 1)[0] == APP:
            return f"{name_vsn}/{app}"
    return None


def _paths(text: str) -> tuple[tuple[str, str], ...]:
    """(from_version, target_version) of each map of the printed list, in order."""
    found: list[tuple[str, str]] = []
    pending: dict[str, str] = {}
    for match in _VERSION.finditer(text):
        pending[match.group(1)] = match.group(2)
        if len(pending) == 2:
            found.append((pending["from_version"], pending["target_version"]))
            pending = {}
    return tuple(found)


def _release(blob: bytes, target: str) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...], bool]:
    """The upgrade paths and change logs of the release tarball (nothing when unreadable)."""
    relup_name = f"releases/{target}/{target}.relup"
    logs: dict[str, str] = {}
    relup: str | None = None
    try:
        with tarfile.open(fileobj=io.BytesIO(blob), mode="r|gz") as archive:
            for count, member in enumerate(archive):
                if count > _MAX_MEMBERS:
                    break
                name = member.name.removeprefix("./")
                if not member.isfile() or member.size > _MAX_FILE:
                    continue
                folder, _, base = name.rpartition("/")
                is_log = folder == f"releases/{target}" and base.startswith("change_log")
                if name != relup_name and not (is_log and base.endswith(".md")):
                    continue
                handle = archive.extractfile(member)
                text = (handle.read() if handle else b"").decode("utf-8", "replace")
                if name == relup_name:
                    relup = text
                else:
                    logs[base] = text
    except (tarfile.TarError, gzip.BadGzipFile, EOFError, OSError, ValueError):
        return (), (), False
    changes = tuple(logs[k] for k in sorted(logs))  # filelib:wildcard/1 sorts
    if relup is None:
        return (), changes, False
    return _paths(relup), changes, True


def read(
    blob: bytes, name_vsn: str, rel_apps: object, members: tuple[str, ...]
) -> RelupRelease | None:
    """The relup facts of a package carrying the emqx_relup application, else None."""
    app_dir = _app_dir(name_vsn, rel_apps)
    if app_dir is None:
        return None
    priv = f"{app_dir}/priv/"
    tarballs = tuple(
        m
        for m in members
        if m.startswith(priv) and "/" not in m[len(priv) :] and m.endswith(".tar.gz")
    )
    facts = RelupRelease(tarballs)
    target = facts.target_vsn
    if target is None:
        return facts
    inner = _member(blob, tarballs[0])
    if inner is None:
        return facts
    entries, changes, found = _release(inner, target)
    digest = hashlib.sha256(inner).hexdigest()[:16].upper()  # calc_hash/1
    return RelupRelease(tarballs, entries, changes, found, digest)


def _member(blob: bytes, wanted: str) -> bytes | None:
    """One member's bytes of the (already checked) package, when it is small enough."""
    try:
        with tarfile.open(fileobj=io.BytesIO(blob), mode="r|gz") as archive:
            for member in archive:
                if member.name.removeprefix("./") == wanted:
                    if not member.isfile() or member.size > _MAX_RELEASE:
                        return None
                    handle = archive.extractfile(member)
                    return handle.read() if handle else None
    except (tarfile.TarError, gzip.BadGzipFile, EOFError, OSError, ValueError):
        return None
    return None
