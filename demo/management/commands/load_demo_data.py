"""Load the demo data and print how to log in."""

import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from cases.stages import Stage
from demo.accounts import DEMO_TOTP_SECRET, demo_totp_code
from demo.data import demo_load


def this_python() -> str:
    """How to start this Python from here: `.venv/bin/python` after `make demo` (a bare
    `python` is not the virtual environment's), else `python`."""
    try:
        return str(Path(sys.executable).relative_to(Path.cwd()))
    except ValueError:
        return "python"


class Command(BaseCommand):
    help = (
        "Load fictional demo data: two housing organisations with estates, projects, cases in "
        "every stage, and a login per role (all with the same printed password). Running it "
        "again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even outside development (DEBUG off and a DATABASE_URL set).",
        )

    def handle(self, *args, **options):
        # The demo has a superuser with a published password: never on a real database by accident.
        in_development = settings.DEBUG or getattr(settings, "EMBEDDED_DATABASE", False)
        if not (in_development or options["force"]):
            raise CommandError(
                "This does not look like a development database (DEBUG is off and DATABASE_URL "
                "is set). The demo creates users with a published password; use --force if you "
                "really mean it."
            )
        started = time.monotonic()
        try:
            summary = demo_load()
        except (DatabaseError, ValidationError) as error:
            raise CommandError(f"The demo data could not be loaded: {error}") from error
        seconds = time.monotonic() - started

        if summary.organisations_created:
            created = ", ".join(summary.organisations_created)
            self.stdout.write(
                self.style.SUCCESS(f"Demo data loaded ({created}) in {seconds:.1f} s.")
            )
        else:
            self.stdout.write(f"The demo data was already there; nothing new ({seconds:.1f} s).")

        self.stdout.write(
            "\nOptælling: " + ", ".join(f"{n} {what}" for what, n in summary.counts.items())
        )
        stages = ", ".join(
            f"{Stage(stage).label} {n}" for stage, n in summary.cases_by_stage.items() if n
        )
        self.stdout.write(f"Sager pr. fase: {stages}")

        self.stdout.write(f"\nLog ind på {settings.SITE_URL}/ med en af disse brugere:\n")
        rows = [("Brugernavn", "Adgangskode", "Rolle", "Navn", "Ser")]
        rows += [
            (login.username, login.password, login.role, login.full_name, login.sees)
            for login in summary.logins
        ]
        widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
        for index, row in enumerate(rows):
            cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
            self.stdout.write("  ".join(cells).rstrip())
            if index == 0:
                self.stdout.write("  ".join("-" * width for width in widths))

        self.stdout.write(
            "\nTo-trins-login: efter adgangskoden beder genhusning om en kode fra en "
            "godkendelsesapp.\n"
            f"Alle demobrugere deler nøglen {DEMO_TOTP_SECRET} (tidsbaseret, 6 cifre): "
            "læg den i appen,\n"
            f"eller få den aktuelle kode med `{this_python()} manage.py demo_code`. "
            f"Koden lige nu: {demo_totp_code()}"
        )
