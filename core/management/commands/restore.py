"""`manage.py restore FOLDER`: restore a backup into an empty database, then check it."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, current_checksums, differences, restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `backup` into an empty database (create it, do not migrate it) "
        "and the uploaded files; then compare every table with the backup's row counts and checksums."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("folder", help="a backup folder made by `manage.py backup`")

    def handle(self, *args, folder: str, **options) -> None:
        try:
            manifest = restore(Path(folder))
        except BackupError as error:
            raise CommandError(str(error)) from error
        problems = differences(manifest["tables"], current_checksums())
        if problems:
            raise CommandError("the restored database differs from the backup:\n" + "\n".join(problems))
        rows = sum(table["rows"] for table in manifest["tables"].values())
        self.stdout.write(
            f"Restored {len(manifest['tables'])} tables ({rows} rows) from {folder}; every table matches its checksum."
        )
