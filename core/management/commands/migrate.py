"""Django's `migrate`, connecting as the database's owner by default (settings.DATABASES
["owner"], MIGRATION_DATABASE_URL): the application's own role may not alter tables."""

from django.core.management.commands.migrate import Command as DjangoMigrate

from core import collector


class Command(DjangoMigrate):
    help = DjangoMigrate.help + " Connects as the owner role (MIGRATION_DATABASE_URL) by default."

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(database="owner")

    def handle(self, *args, **options) -> None:
        # Each operation renders again the models it touches and those related to them: some
        # ten thousand short-lived model classes, which the default thresholds walk in a full
        # collection again and again (a quarter of the command's CPU time, issue 13).
        with collector.thresholds_raised():
            super().handle(*args, **options)
