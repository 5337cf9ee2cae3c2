"""Django's `migrate`, connecting as the database's owner by default (settings.DATABASES
["owner"], MIGRATION_DATABASE_URL): the application's own role may not alter tables."""

from django.core.management.commands.migrate import Command as DjangoMigrate


class Command(DjangoMigrate):
    help = DjangoMigrate.help + " Connects as the owner role (MIGRATION_DATABASE_URL) by default."

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(database="owner")
