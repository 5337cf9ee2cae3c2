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


_MAKERS: dict[str, ReportMaker] = {}


def report_maker_register(kind: str, maker: ReportMaker) -> None:
    _MAKERS[kind] = maker


def report_maker(kind: str) -> ReportMaker | None:
    return _MAKERS.get(kind)
