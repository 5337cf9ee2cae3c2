"""Django's `migrate`, connecting as the database's owner by default (settings.DATABASES
["owner"], MIGRATION_DATABASE_URL): the application's own role may not alter tables."""

import gc

from django.core.management.commands.migrate import Command as DjangoMigrate

# Each operation renders again the models it touches and those related to them: some ten
# thousand short-lived model classes from zero, which Python's default thresholds walk in a full
# collection again and again (a quarter of the command's CPU time, issue 13). While it runs, the
# collector runs a hundred times less often; the memory it holds stays below 300 MB.
MIGRATE_GC_THRESHOLD = (100_000, 50, 100)


class Command(DjangoMigrate):
    help = DjangoMigrate.help + " Connects as the owner role (MIGRATION_DATABASE_URL) by default."

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(database="owner")

    def handle(self, *args, **options) -> None:
        before = gc.get_threshold()
        gc.set_threshold(*MIGRATE_GC_THRESHOLD)
        try:
            super().handle(*args, **options)
        finally:
            gc.set_threshold(*before)
