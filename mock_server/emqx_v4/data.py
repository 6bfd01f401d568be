"""`/data/…`: data backups — export to a file, list, download, upload, delete, import.

The backup is a JSON document of the cluster's configuration data; the mock fills the parts
its world holds (bans as `blacklist`, modules) and leaves the others (`rules`, `apps`, …)
empty. Files live on the node that took the call. Errors are `{"message":…}` without a code.
From the 4.4 sources as remembered, not re-verified: file names
`emqx-export-Y-M-D-H-M-S.json` and `created_at` `"Y-M-D H:M:S"` without zero padding,
download answers `{"filename","file"}` with no `code`, unknown files `{"message":"not_found"}`.
"""

from __future__ import annotations

import time
from typing import Any

import orjson
from starlette.responses import Response

from mqtt_api_kit.fixtures import BannedEntry, StoredFile, World

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
        node = self.world.running_nodes()[0]
        return {
            "version": "4.4",
            "date": _stamp(self.world.now),
            "rules": [],
            "resources": [],
            "blacklist": [serialize.banned(b) for b in self.world.banned.values()],
            "apps": [],
            "users": [],
            "auth_mnesia": [],
            "acl_mnesia": [],
            "modules": [{"name": m.name, "enabled": m.active} for m in node.modules.values()],
            "schemas": [],
            "configs": [],
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
        if str(backup.get("version")) not in SUPPORTED:
            return errors.message("unsupported_version")
        for item in backup.get("blacklist") or []:
            if isinstance(item, dict) and item.get("as") in ("clientid", "username", "peerhost"):
                now_s = self.world.now // 1000
                self.world.ban(
                    BannedEntry(
                        item["as"],
                        str(item.get("who", "")),
                        str(item.get("by", "user")),
                        str(item.get("reason", "")),
                        _int(item.get("at"), now_s) * 1000,
                        _int(item.get("until"), now_s + 300) * 1000,
                    )
                )
        for item in backup.get("modules") or []:
            if isinstance(item, dict) and isinstance(item.get("enabled"), bool):
                for node in self.world.running_nodes():
                    self.world.set_module_active(node.name, str(item.get("name")), item["enabled"])
        return errors.ok()


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default
