from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, backup_make


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump, custom format) and the private files, with a manifest "
        "of SHA-256 checksums, into a new folder genhusning-<time> inside DIRECTORY."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument(
            "--keep", type=int, help="then delete all but the newest KEEP backups in DIRECTORY"
        )
        parser.add_argument("--database", default="owner", help="the connection (default: owner)")

    def handle(self, *args, directory: Path, keep: int | None, database: str, **options) -> None:
        if keep is not None and keep < 1:
            raise CommandError("--keep must be at least 1")
        try:
            folder = backup_make(target=directory, keep=keep, using=database)
        except BackupError as error:
            raise CommandError(f"No backup made: {error}") from error
        self.stdout.write(str(folder))
