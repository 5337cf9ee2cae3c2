"""The letters' worker task: thin, by id, idempotent (a second delivery is left alone)."""

from celery import shared_task

from outreach.letters import sending

LETTER_BATCH_SOFT_TIME_LIMIT = 9 * 60


@shared_task(
    ignore_result=True,
    soft_time_limit=LETTER_BATCH_SOFT_TIME_LIMIT,
    time_limit=LETTER_BATCH_SOFT_TIME_LIMIT + 60,
)
def make_letter_batch(batch_id: int) -> int | None:
    batch = sending.batch_run(batch_id=batch_id)
    return batch.pk if batch else None
