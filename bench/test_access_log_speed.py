"""How fast the access log answers a data protection officer's two questions with a million
rows. Run: make bench (or pytest bench/test_access_log_speed.py -s).

"Which households did user X see between t1 and t2" and "who saw household Y", through the
manager's page, as entries and as one line per household or user. Prints timings and the
plans (which index each question uses); asserts only that an index is used, not how fast.
"""

import datetime
import re
import statistics
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from households.models import AccessLog
from households.services import estate_assign_staff
from privacy.selectors import (
    AccessLogFilters,
    access_log_entries,
    access_log_scope,
    access_log_summary,
)
from tests import factories

ROWS = 1_000_000
STAFF = 50
HOUSEHOLDS = 1_000


def fill(*, user_ids: list[int], household_ids: list[int]) -> None:
    """A million rows in one statement: a year of views every ~30 seconds, one in ten a login
    (no household), spread over the staff and households."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO households_accesslog
                (at, user_id, username, action, household_id, resident_id, what, path, ip)
            SELECT now() - i * interval '31 seconds',
                   (%(users)s::bigint[])[1 + i %% cardinality(%(users)s::bigint[])],
                   'bench',
                   CASE WHEN i %% 10 = 0 THEN 'login' ELSE 'view' END,
                   CASE WHEN i %% 10 = 0 THEN NULL
                        ELSE (%(households)s::bigint[])[
                            1 + (i * 7919) %% cardinality(%(households)s::bigint[])]
                   END,
                   NULL, 'household page', '/husstande/', '10.0.0.1'
            FROM generate_series(1::bigint, %(rows)s) AS i
            """,
            {"users": user_ids, "households": household_ids, "rows": ROWS},
        )
        cursor.execute("ANALYZE households_accesslog")


def timed(client, params, repeat: int = 7) -> tuple[float, int, str]:
    url = reverse("privacy:access_log")
    client.get(url, params)  # warm caches
    durations = []
    for _ in range(repeat):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, params)
        durations.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    slowest = max(queries.captured_queries, key=lambda query: float(query["time"]))
    return statistics.median(durations), len(queries), slowest["time"] + " s " + slowest["sql"][:90]


def indexes_in(plan: str) -> set[str]:
    """The access log's indexes that a plan reads."""
    found = re.findall(
        r"(?:Index (?:Only )?Scan(?: Backward)? using|Bitmap Index Scan on) (\S+)", plan
    )
    return {
        name
        for name in found
        if "accesslog" in name or name.startswith(("households__", "access_log"))
    }


@pytest.mark.django_db
def test_access_log_speed(client, cast, capsys):
    estate = cast.case_a1.project.estate
    households = [  # a street holds at most a few hundred flats (floors 0-40)
        household
        for street in ("Tællevej", "Talvej", "Summavej", "Regnevej", "Optællingsvej")
        for household in factories.make_households(estate, HOUSEHOLDS // 5, street=street)
    ]
    staff = [factories.make_user(f"bench_{n}") for n in range(STAFF)]
    for user in staff:
        estate_assign_staff(estate=estate, user=user)
    others = factories.make_households(cast.case_b1.project.estate, 50, street="Andenvej")
    fill(
        user_ids=[user.pk for user in staff] + [cast.caseworker_b1.pk],
        household_ids=[h.pk for h in households] + [h.pk for h in others],
    )
    assert AccessLog.objects.count() == ROWS

    user_x, household_y = staff[7], households[123]
    today = timezone.localdate()
    month = {
        "user": user_x.pk,
        "date_from": (today - datetime.timedelta(days=30)).isoformat(),
        "date_to": today.isoformat(),
    }
    client.force_login(cast.manager_a)
    rows = [
        ("newest first, no filter", *timed(client, {})),
        ("user X, 30 days: entries", *timed(client, month)),
        ("user X, 30 days: households", *timed(client, {**month, "group": "husstande"})),
        ("user X, a year: households", *timed(client, {"user": user_x.pk, "group": "husstande"})),
        ("household Y: entries", *timed(client, {"household": household_y.pk})),
        (
            "household Y: users",
            *timed(client, {"household": household_y.pk, "group": "medarbejdere"}),
        ),
        (
            "by name 'Talvej 124': users",
            *timed(client, {"q": "Talvej 124", "group": "medarbejdere"}),
        ),
    ]

    scope = access_log_scope(user=cast.manager_a)
    start = timezone.localdate() - datetime.timedelta(days=30)
    plans = {
        "user X, 30 days (households)": access_log_summary(
            scope=scope,
            filters=AccessLogFilters(user=user_x.pk, date_from=start, date_to=today),
            by="husstande",
        ).explain(),
        "user X, 30 days (entries)": access_log_entries(
            scope=scope, filters=AccessLogFilters(user=user_x.pk, date_from=start, date_to=today)
        )[:50].explain(),
        "household Y (users)": access_log_summary(
            scope=scope, filters=AccessLogFilters(household=household_y.pk), by="medarbejdere"
        ).explain(),
        "household Y (entries)": access_log_entries(
            scope=scope, filters=AccessLogFilters(household=household_y.pk)
        )[:50].explain(),
    }
    with capsys.disabled():
        print(f"\n{ROWS:,} access log rows, {STAFF} staff, {HOUSEHOLDS} households (median of 7):")
        for label, ms, queries, slowest in rows:
            print(f"  {label:<32} {ms:7.1f} ms  {queries:3d} queries  slowest: {slowest}")
        for label, plan in plans.items():
            print(f"\n  plan, {label}: indexes {sorted(indexes_in(plan))}")
            print("    " + plan.replace("\n", "\n    "))
    for label, plan in plans.items():
        assert "Seq Scan on households_accesslog" not in plan, label
