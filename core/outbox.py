"""The mail outbox: a row that says someone is to be told by mail (a case assigned, a colleague's
work handed over, a stairwell distributed) carries `notified_at`. A task sends the mail right
after the commit; when the task never comes (Redis was down, a worker died), the sweep on the
beat sends what is still unsent after a few minutes, until the row is two days old.

Each sender locks its row and sets `notified_at` in the same transaction, so the sweep and a
late task never both send one mail; a mail that fails stays for the next sweep.
"""

import logging
from collections.abc import Callable
from datetime import timedelta
from smtplib import SMTPException

from django.db.models import QuerySet
from django.utils import timezone

logger = logging.getLogger(__name__)

UNSENT_AFTER = timedelta(minutes=5)
UNSENT_GIVE_UP_AFTER = timedelta(days=2)


def outbox_sweep(rows: QuerySet, *, at_field: str, send: Callable[[int], bool], what: str) -> int:
    """Send the mails of `rows` that a task should have sent by now; returns how many were
    sent. `at_field` is when the row was made, `send(pk)` sends one and says whether it did."""
    now = timezone.now()
    pending = rows.filter(
        notified_at__isnull=True,
        **{f"{at_field}__lt": now - UNSENT_AFTER, f"{at_field}__gt": now - UNSENT_GIVE_UP_AFTER},
    ).order_by(at_field)
    sent = 0
    for pk in list(pending.values_list("pk", flat=True)):
        try:
            sent += send(pk)
        except (SMTPException, OSError):
            logger.warning("%s mail %s not sent; the next sweep tries again", what, pk)
    return sent
