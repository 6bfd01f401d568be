"""`/management/backups…`, `/management/files/backups/{id}` and the diagnostic archive.

Handlers ask the world's job parts; the files are written by `backup_file.py` and
`diagnostic_file.py` at the request (the world keeps the bytes), states come from the clock.
"""

from __future__ import annotations

from starlette.responses import Response

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.fixtures.backups import BackupStateError

from ..http import json_response
from ..paths import path_value
from . import backup_file, diagnostic_file, errors, serialize_management


class BackupsApi:
    def __init__(self, world: World) -> None:
        self.world = world

    async def get_all_backups(self, **_: object) -> Response:
        now = self.world.now
        items = [serialize_management.backup(b, now) for b in self.world.backups.all()]
        return json_response({"items": items})

    async def create_backup(self, **_: object) -> Response:
        created = self.world.backups.create(lambda i, at: backup_file.build(self.world, i, at))
        return json_response({"backup": serialize_management.backup(created, self.world.now)})

    async def get_backup(self, backupId: str, **_: object) -> Response:
        backup_id = path_value(backupId)
        backup = self.world.backups.backup(backup_id)
        if backup is None:
            return errors.not_found(backup_id)
        return json_response({"backup": serialize_management.backup(backup, self.world.now)})

    async def restore_backup(self, backupId: str, **_: object) -> Response:
        backup_id = path_value(backupId)
        try:
            restored = self.world.restore_backup(
                backup_id, lambda archive: backup_file.restore(self.world, archive)
            )
        except BackupStateError as exc:
            return errors.error(
                400,
                errors.BACKUP_NOT_RESTORABLE,
                f"The backup with id '{backup_id}' is {exc.state}: only a COMPLETED backup, or "
                "one restored before, can be restored.",
            )
        if restored is None:
            return errors.not_found(backup_id)
        return json_response({"backup": serialize_management.backup(restored, self.world.now)})

    async def download_backup_file(self, backupId: str, **_: object) -> Response:
        backup_id = path_value(backupId)
        backup = self.world.backups.backup(backup_id)
        if backup is None:
            return errors.not_found(backup_id)
        if backup.size(self.world.now) is None or backup.archive is None:
            state = backup.state(self.world.now)
            return errors.error(
                404,
                errors.NOT_FOUND,
                f"The backup with id '{backup_id}' has no file to download: it is {state}.",
            )
        return Response(
            backup.archive,
            200,
            {"Content-Disposition": f'attachment; filename="{backup_id}.zip"'},
            media_type="application/octet-stream",
        )

    async def create_diagnostic_archive(self, **_: object) -> Response:
        made = self.world.diagnostic_archives.create(
            lambda i, at: diagnostic_file.build(self.world, i, at)
        )
        archive = serialize_management.diagnostic_archive(made, self.world.now)
        return json_response({"diagnosticArchive": archive})
