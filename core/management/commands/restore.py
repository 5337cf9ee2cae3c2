from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup folder made by `manage.py backup`: checks every checksum first, then "
        "restores the database (into an empty one, or with --wipe) and the private files, and "
        "checks every table's row count against the manifest."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("backup", type=Path, help="a folder genhusning-<time>")
        parser.add_argument(
            "--wipe",
            action="store_true",
            help="drop every table of the database and every private file first",
        )
        parser.add_argument("--database", default="owner", help="the connection (default: owner)")

    def handle(self, *args, backup: Path, wipe: bool, database: str, **options) -> None:
        try:
            restored = backup_restore(source=backup, wipe=wipe, using=database)
        except BackupError as error:
            raise CommandError(f"Not restored: {error}") from error
        self.stdout.write(
            f"Restored {restored.tables} tables ({restored.rows} rows) and {restored.files} files "
            f"from {backup}"
        )
