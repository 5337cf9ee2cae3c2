"""Report-job kinds made by an app above `reports`' reach (privacy, referrals).

`reports` runs, checks and serves every `ReportJob`, but may not import privacy (the same
layer) to make an art. 15 export. Such an app registers its kind here from its
AppConfig.ready() (architecture.md: callables passed in at start-up); `reports` looks the
kind up when it runs, checks or serves a job.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class JobWords:
    """What the job page says about a job of one kind (lazy gettext, English msgids): the
    art. 15 export is "Din indsigtskopi (zip)", not "the report"."""

    ready: str | Promise  # "Din indsigtskopi (zip) er klar."
    download: str | Promise  # the download button
    making: str | Promise  # "Laver indsigtskopien …"
    restarting: str | Promise  # the worker stopped and the job starts again
    failed: str | Promise  # "Indsigtskopien kunne ikke laves."
    kept: str | Promise  # where she finds it again


@dataclass(frozen=True)
class ReportMaker:
    # (job, its row while it is this attempt's) -> (file contents, file name, household ids)
    make: Callable[[Any, Any], tuple[bytes, str, list[int]]]
    # (user, job) -> None: raises Http404 (or PermissionDenied) if she may not have it now
    check: Callable[[Any, Any], None]
    # (request, job) -> (download name, content type); writes the access-log rows
    download: Callable[[Any, Any], tuple[str, str]]
    # (job, user) -> the new job: "Prøv igen", with her rights of now
    retry: Callable[[Any, Any], Any]
    # what the job page calls it
    words: JobWords


_MAKERS: dict[str, ReportMaker] = {}


def report_maker_register(kind: str, maker: ReportMaker) -> None:
    _MAKERS[kind] = maker


def report_maker(kind: str) -> ReportMaker | None:
    return _MAKERS.get(kind)
