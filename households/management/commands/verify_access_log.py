from django.core.management.base import BaseCommand, CommandError

from households.audit import access_log_verify, access_log_verify_and_report, describe_break


class Command(BaseCommand):
    help = (
        "Check the access log's hash chain; name the first row that does not follow from the "
        "one before it, mail it to the managers (unless --no-mail) and exit with an error."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--no-mail", action="store_true", help="report here only")

    def handle(self, *args, no_mail: bool, **options) -> None:
        check = access_log_verify() if no_mail else access_log_verify_and_report()
        if check.broken is not None:
            raise CommandError(describe_break(check.broken))
        self.stdout.write(f"The access log is intact: {check.rows} rows, last hash {check.head}")
