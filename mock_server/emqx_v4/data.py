"""`/data/…`: data backups — export to a file, list, download, upload, delete, import.

The backup is the open-source edition's JSON document (emqx_mgmt_data_backup.erl): bans,
API applications and dashboard users (their salted hashes) round-trip, so importing a backup
changes who may call the API; rules, resources and the built-in auth tables are exported
empty and not imported. Files live on the node that took the call. Errors are
`{"message":…}` without a code. Read from the 4.4.19 source (emqx_mgmt_data_backup:export/0,
emqx_mgmt_api_data:tmp_filename/0): file names `emqx-export-Y-M-D-H-M-S.json` and
`created_at` `"Y-M-D H:M:S"` without zero padding (`~p`); download answers
`{"filename","file"}` with no `code`; unknown files `{"message":"not_found"}`.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
import time
from typing import Any

import orjson
from starlette.responses import Response

from mqtt_api_kit.fixtures import BannedEntry, StoredFile, World
from mqtt_api_kit.fixtures.console import UNDEFINED, App, sane_id_problem

from ..http import json_response
from ..paths import path_value
from . import errors, serialize

SUPPORTED = ("4.0", "4.1", "4.2", "4.3", "4.4")


def _stamp(ms: int, sep: str = " ", colon: str = ":") -> str:
    t = time.gmtime(ms // 1000)
    return f"{t.tm_year}-{t.tm_mon}-{t.tm_mday}{sep}{t.tm_hour}{colon}{t.tm_min}{colon}{t.tm_sec}"


def _info(f: StoredFile) -> dict[str, Any]:
    return {
        "filename": f.name,
        "size": len(f.content),
        "created_at": _stamp(f.created_at),
        "node": f.node,
    }


class DataApi:
    def __init__(self, world: World) -> None:
        self.world = world

    def _backup(self) -> dict[str, Any]:
        """emqx_mgmt_data_backup:export/0 of the open-source edition: `do_export_data/0`
        (no `modules`, `schemas` or `configs`, which only the enterprise edition writes),
        then `date`. Rules, resources and the built-in auth tables are left empty."""
        console = self.world.console
        return {
            "version": "4.4",
            "rules": [],
            "resources": [],
            "blacklist": [_exported_ban(b) for b in self.world.banned.values()],
            "apps": [
                {
                    "id": a.app_id,
                    "secret": a.secret,
                    "name": a.name,
                    "desc": a.desc,
                    "status": a.status,
                    "expired": a.expired,
                }
                for a in console.apps.values()
            ],
            "users": [
                {
                    "username": name,
                    "password": base64.b64encode(console.stored_password(name) or b"").decode(),
                    "tags": user.tags,
                }
                for name, user in console.users.items()
            ],
            "auth_mnesia": [],
            "acl_mnesia": [],
            "date": serialize.datetime_text(self.world.now),
        }

    async def export_data(self) -> Response:
        node = self.world.running_nodes()[0].name
        now = self.world.tick()
        name = f"emqx-export-{_stamp(now, '-', '-')}.json"
        stored = StoredFile(name, orjson.dumps(self._backup()), node, now)
        self.world.store_file(stored)
        return errors.ok(data=_info(stored))

    async def list_data_exports(self) -> Response:
        files = sorted(self.world.files.values(), key=lambda f: (f.created_at, f.name))
        return errors.ok(data=[_info(f) for f in files])

    async def download_data_file(self, filename: str) -> Response:
        found = self.world.files.get(path_value(filename))
        if found is None:
            return errors.message("not_found")
        return json_response(
            {"filename": found.name, "file": found.content.decode("utf-8", "replace")}
        )

    async def upload_data_file(self, body: dict[str, Any]) -> Response:
        if "file" not in body:
            return errors.message("missing_required_params")
        content = body["file"]
        text = content if isinstance(content, str) else orjson.dumps(content).decode()
        now = self.world.tick()
        name = str(body.get("filename") or f"emqx-export-{_stamp(now, '-', '-')}.json")
        node = self.world.running_nodes()[0].name
        self.world.store_file(StoredFile(name, text.encode(), node, now))
        return errors.ok(data={"node": node})

    async def delete_data_file(self, filename: str) -> Response:
        if not self.world.delete_file(path_value(filename)):
            return errors.message("not_found")
        return errors.ok()

    async def import_data(self, body: dict[str, Any]) -> Response:
        if "filename" not in body:
            return self._restore(body)
        nodes = {n.name for n in self.world.running_nodes()}
        if "node" in body and body["node"] not in nodes:
            return errors.message("no_existent_node")
        found = self.world.files.get(str(body["filename"]))
        if found is None:
            return errors.message("not_found")
        try:
            content = orjson.loads(found.content)
        except orjson.JSONDecodeError:
            return errors.message("bad_json")
        return self._restore(content if isinstance(content, dict) else {})

    def _restore(self, backup: dict[str, Any]) -> Response:
        """emqx_mgmt_data_backup:import/2 (open source): the version check, then
        `do_import_data/2` in its order. A record without one of the keys its import reads
        fails the whole import (`import_failed`) but keeps what was imported before it: the
        broker has no rollback. Modules are not imported (enterprise only)."""
        version = backup.get("version")
        if isinstance(version, int) and not isinstance(version, bool):
            version = str(version)
        if not isinstance(version, str):
            return errors.message("import_failed")  # to_version/1 crashes: the broker's 500
        auth_data = any(backup.get(k) for k in ("auth_clientid", "auth_username", "auth_mnesia"))
        if not (_supported_with_auth(version) if auth_data else version in SUPPORTED):
            # minirest:return({error, unsupported_version, Version}): a non-integer code and
            # the version printed with ~0p (a string, so in quotes)
            return json_response(
                errors.envelope({"code": "unsupported_version", "message": f'"{version}"'})
            )
        try:
            for item in _list(backup.get("blacklist")):
                self.world.ban(_imported_ban(item, self.world.now))
            for item in _list(backup.get("apps")):
                self._import_app(item)
            for item in _list(backup.get("users")):
                stored = base64.b64decode(str(item["password"]), validate=True)
                self.world.console.force_add_user(str(item["username"]), stored, item["tags"])
        except (KeyError, TypeError, ValueError, binascii.Error):
            return errors.message("import_failed")
        return errors.ok()

    def _import_app(self, item: dict[str, Any]) -> None:
        """import_applications/1 → emqx_mgmt_auth:force_add_app/6: written as given (an id
        that fails is_sane_id/1 is skipped), a non-integer `expired` becoming `undefined`."""
        app_id, secret = item["id"], item["secret"]
        name, desc, status, expired = item["name"], item["desc"], item["status"], item["expired"]
        if not isinstance(app_id, str) or sane_id_problem(app_id):
            return
        if not isinstance(expired, int) or isinstance(expired, bool):
            expired = UNDEFINED
        self.world.console.put_app(App(app_id, str(secret), name, desc, status, expired))


def _list(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(i, dict) for i in value):
        raise TypeError("not a list of records")
    return value


def _exported_ban(b: BannedEntry) -> dict[str, Any]:
    """export_blacklist/0: `who` as `{"<as>": value}`, times in seconds."""
    return {
        "who": {b.kind: b.who},
        "by": b.by,
        "reason": b.reason,
        "at": b.at // 1000,
        # A ban without an end (EMQX 5's `infinity`) as serialize.banned/1 shows it.
        "until": b.until // 1000 if b.until is not None else serialize.FOREVER_S,
    }


def _imported_ban(item: dict[str, Any], now: int) -> BannedEntry:
    """import_blacklist/1: every key required; `who` one of peerhost/clientid/username."""
    who, by, reason, at, until = (item[k] for k in ("who", "by", "reason", "at", "until"))
    if not isinstance(who, dict):
        raise TypeError("who")
    for kind in ("peerhost", "clientid", "username"):
        if kind in who:
            value = str(who[kind])
            if kind == "peerhost":
                ipaddress.ip_address(value)  # inet:parse_address/1 badmatch otherwise
            return BannedEntry(kind, value, str(by), str(reason), int(at) * 1000, int(until) * 1000)
    raise KeyError("who")


def _supported_with_auth(version: str) -> bool:
    """is_version_supported2/1: 4.1, 4.3, 4.4, 4.5, 4.2.11+ and 4.0.13+."""
    if version in ("4.1", "4.3", "4.4", "4.5"):
        return True
    match = re.fullmatch(r"4\.([02])\.(\d+)", version)
    if match is None:
        return False
    return int(match.group(2)) >= (11 if match.group(1) == "2" else 13)
