import os
from pathlib import Path

from celery import Celery, signals
from celery.beat import PersistentScheduler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "genhusning.settings")

app = Celery("genhusning")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_process_init.connect
def _settle(**_kwargs) -> None:
    """Each worker process, once started, keeps the collector off what it holds for good
    (core/collector.py): a PDF or the flag scan makes hundreds of thousands of objects."""
    from core import collector

    collector.settle()


@app.task(name="genhusning.jobs_dispatch", ignore_result=True, soft_time_limit=50, time_limit=55)
def jobs_dispatch() -> dict[str, int]:
    """The beat's dispatcher over every job model (core/jobs.py)."""
    from core.jobs import jobs_dispatch as dispatch

    return dispatch()


class HeartbeatScheduler(PersistentScheduler):
    """Celery's scheduler, touching a file on every tick (`beat --scheduler` in
    docker-compose.yml): the beat's health check reads the file's age, so a beat that hangs
    is restarted, not only one that exits. The job dispatcher's entry (every minute) wakes it
    at least once a minute."""

    # In the container's own /tmp, next to the schedule file (docker-compose.yml).
    heartbeat_file = Path(os.environ.get("BEAT_HEARTBEAT_FILE", "/tmp/celerybeat-heartbeat"))  # noqa: S108

    def tick(self, *args, **kwargs):
        self.heartbeat_file.touch()
        return super().tick(*args, **kwargs)
