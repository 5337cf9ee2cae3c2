import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "genhusning.settings")

app = Celery("genhusning")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="genhusning.jobs_dispatch", ignore_result=True, soft_time_limit=50, time_limit=55)
def jobs_dispatch() -> dict[str, int]:
    """The beat's dispatcher over every job model (core/jobs.py)."""
    from core.jobs import jobs_dispatch as dispatch

    return dispatch()
