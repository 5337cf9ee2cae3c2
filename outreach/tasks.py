"""Outreach's Celery tasks: thin, by id, idempotent. The beat schedule is in settings."""

from celery import Task, shared_task
from django.db import InterfaceError, OperationalError

from outreach import scan
from outreach.models import ScanRun

# Well below the broker's visibility timeout (settings: one hour), so Redis never hands a
# running scan to a second worker; the database's statement timeout (outreach/scan.py) fires
# first when a query hangs.
SCAN_SOFT_TIME_LIMIT = 9 * 60
SCAN_TIME_LIMIT = 10 * 60
MAX_RETRY_COUNTDOWN = 5 * 60


@shared_task(
    bind=True,
    ignore_result=True,
    max_retries=4,
    soft_time_limit=SCAN_SOFT_TIME_LIMIT,
    time_limit=SCAN_TIME_LIMIT,
)
def flag_scan(self: Task, run_id: int | None = None, retry_of: int | None = None) -> int | None:
    """Run the flag scan recorded as `run_id`; without one (the nightly beat) tonight's run,
    recorded here unless the night has one (`scan.nightly_scan_queue`).

    The database going away is retried with backoff on the same run, which shows it failed
    with the reason until a retry succeeds. The retry names the attempt that failed
    (`retry_of`): it takes the run over from that attempt only, as the next attempt, and
    leaves it alone once the dispatcher has sent it to another worker that runs it.
    """
    attempt = None
    try:
        if run_id is None:  # the nightly beat: the night's run, unless it has one already
            nightly = scan.nightly_scan_queue()
            if nightly is None:
                return None
            run_id = nightly.pk
        run = ScanRun.objects.filter(pk=run_id).first()
        if run is None:
            return None
        attempt = scan.scan_run_claim(run=run, retry_of=retry_of)
        if attempt is not None:
            scan.flag_scan_run(run=run, attempt=attempt)
    except (OperationalError, InterfaceError) as exc:
        countdown = min(30 * 2**self.request.retries, MAX_RETRY_COUNTDOWN)
        # Not claimed (the database went away before): the attempt this retry was of, if any.
        kwargs = {"retry_of": attempt if attempt is not None else retry_of}
        raise self.retry(exc=exc, args=(run_id,), kwargs=kwargs, countdown=countdown) from exc
    return run_id


@shared_task(ignore_result=True, soft_time_limit=4 * 60, time_limit=5 * 60)
def flag_digest() -> int:
    return scan.flag_digests_send()


# The letters' batch task lives with the letters; importing it here lets the worker's
# autodiscovery (which reads outreach.tasks) register it.
from outreach.letters.tasks import make_letter_batch  # noqa: E402, F401
