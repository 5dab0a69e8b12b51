"""`manage.py backup`: a consistent backup of the database and uploaded files, while the app runs."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core import audit
from core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database (pg_dump on PostgreSQL, the online backup API on SQLite) and uploaded files."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--output", default=str(Path(settings.VAR_DIR) / "backups"), help="folder to create the backup in"
        )

    def handle(self, *args, output: str, **options) -> None:
        destination = Path(output)
        destination.mkdir(parents=True, exist_ok=True)
        try:
            folder = backup(destination)
        except BackupError as error:
            raise CommandError(str(error)) from error
        audit.record("backup", detail={"folder": folder.name})
        self.stdout.write(str(folder))
