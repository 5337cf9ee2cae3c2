"""Print the code an authenticator app with the demo key shows now (for the demo logins)."""

from django.core.management.base import BaseCommand

from demo.accounts import DEMO_TOTP_SECRET, demo_totp_code


class Command(BaseCommand):
    help = (
        "Print the current two-factor code of the demo users (they share the published demo "
        f"key {DEMO_TOTP_SECRET}); a code changes every 30 seconds."
    )

    def handle(self, *args, **options):
        self.stdout.write(demo_totp_code())
