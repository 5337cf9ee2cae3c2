from django.core.management.base import BaseCommand, CommandError

from outreach.models import FlagKind, ScanStatus
from outreach.scan import flag_scan_run


def _counts(counts: dict) -> str:
    return (
        ", ".join(f"{kind} {counts[kind]}" for kind in FlagKind.values if counts.get(kind))
        or "none"
    )


class Command(BaseCommand):
    help = (
        "Run the flag scan now, in this process (the nightly Celery beat does the same), "
        "record it as a scan run and print the flags raised and resolved per kind."
    )

    def handle(self, *args, **options) -> None:
        try:
            run = flag_scan_run()
        except Exception as exc:
            raise CommandError(f"The flag scan failed: {type(exc).__name__}: {exc}") from exc
        if run.status != ScanStatus.SUCCEEDED:
            raise CommandError(f"The flag scan did not run: {run.error}")
        self.stdout.write(
            f"Scanned {run.households_scanned} households; raised: {_counts(run.raised)}; "
            f"resolved: {_counts(run.resolved)}."
        )
