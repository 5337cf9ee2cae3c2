"""The scale bench's runner: pages served by gunicorn, and the timed jobs, on gh_scale50k.

    python -m bench.scale.run [--repeat 15] [--load-seconds 30] [--users 20] [--workers 5]
                              [--pages caseload_cw,flags] [--no-jobs] [--no-pages]

Fill the database first (python -m bench.scale.generate; `make bench-scale` does both). Per
page it prints the median server time of one request at a time (the X-Bench-Ms header of
bench/scale/middleware.py: from the first middleware to the rendered body), its p95, the
requests per second and p95 (client side) with `--users` concurrent users for `--load-seconds`
(0: no load), errors under load, the query count, and the ratio of the median to a hand-written
SQL query that fetches the same rows (its median over the same number of runs).

The jobs run in this process, on the same database: the flag scan, the named report of the
300-household project (data and PDF), the organisation report of 8,000 households, the caseload
export of ~10,000 rows as CSV and XLSX, and a 5,000-row tenant import (rolled back after).
"""

import argparse
import datetime
import http.client
import os
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.scale.generate import SCALE_DATABASE_URL, _setup_django

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Page:
    key: str
    label: str
    user: object
    url: str
    floor_sql: str | tuple[str, ...]  # several: the page's rows come from several queries
    floor_params: dict = field(default_factory=dict)
    cookie: str = ""


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def session_cookie(user) -> str:
    """A logged-in session that has passed the second factor, as after a real login."""
    from django.conf import settings
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def get(port: int, url: str, cookie: str) -> tuple[int, float, int, float]:
    """status, server ms, queries, client ms"""
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request("GET", url, headers={"Cookie": cookie, "Host": "127.0.0.1"})
    response = conn.getresponse()
    response.read()
    conn.close()
    client_ms = (time.perf_counter() - start) * 1000
    return (
        response.status,
        float(response.getheader("X-Bench-Ms") or "nan"),
        int(response.getheader("X-Bench-Queries") or "-1"),
        client_ms,
    )


# Requests of a page for each worker before it is timed: a running server's state. A worker's
# first request of a page costs 20-40 ms more than the next (templates compiled, PostgreSQL's
# catalogue read), and PostgreSQL plans a prepared statement anew for each of its first five
# runs on a connection before it may keep one plan (genhusning/settings.py).
WARM_RUNS = 6


def warm(port: int, page: Page, workers: int) -> None:
    """WARM_RUNS requests of the page for each worker, sent side by side so that every worker
    gets some: what a user of a running server sees, not its first minute."""
    statuses: list[int] = []

    def runs() -> None:
        for _ in range(WARM_RUNS):
            statuses.append(get(port, page.url, page.cookie)[0])

    threads = [threading.Thread(target=runs) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if any(status != 200 for status in statuses):
        raise SystemExit(f"{page.label}: {page.url} answered {sorted(set(statuses))}")


def single(port: int, page: Page, repeat: int) -> tuple[float, float, int]:
    times, queries = [], 0
    for _ in range(repeat):
        _status, server_ms, queries, _client = get(port, page.url, page.cookie)
        times.append(server_ms)
    return statistics.median(times), percentile(times, 95), queries


def load(port: int, page: Page, users: int, seconds: float) -> tuple[float, float, int]:
    """requests/s, client p95 ms, errors"""
    stop = time.perf_counter() + seconds
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def user_loop() -> None:
        while time.perf_counter() < stop:
            try:
                status, _server, _queries, client_ms = get(port, page.url, page.cookie)
            except OSError:
                status, client_ms = 0, 0.0
            with lock:
                if status == 200:
                    latencies.append(client_ms)
                else:
                    errors[0] += 1

    start = time.perf_counter()
    threads = [threading.Thread(target=user_loop) for _ in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    return len(latencies) / elapsed, percentile(latencies, 95) if latencies else 0.0, errors[0]


def floor(sql: str | tuple[str, ...], params: dict, repeat: int) -> float:
    """The median time of the hand-written SQL, its statements run back to back."""
    from django.db import connection

    statements = (sql,) if isinstance(sql, str) else sql
    times = []
    with connection.cursor() as cursor:
        for n in range(repeat + 1):
            start = time.perf_counter()
            for statement in statements:
                cursor.execute(statement, params)
                cursor.fetchall()
            if n:  # the first run warms the cache
                times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


CASE_ROWS = """
    SELECT c.id, c.stage, c.next_step, c.next_step_on, h.id, s.street, s.number, s.postcode,
           f.floor, f.door, p.name, e.name,
           (SELECT string_agg(r.first_name || ' ' || r.last_name, ', ')
              FROM households_resident r WHERE r.household_id = h.id),
           (SELECT v.level FROM households_vulnerabilityassessment v WHERE v.household_id = h.id
             ORDER BY v.assessed_at DESC, v.id DESC LIMIT 1),
           COALESCE(c.move_out_on, ss.move_out_on) AS move_out,
           (SELECT string_agg(u.first_name, ', ') FROM cases_caseassignment a2
              JOIN auth_user u ON u.id = a2.user_id WHERE a2.case_id = c.id)
      FROM cases_case c
      JOIN households_household h ON h.id = c.household_id
      JOIN households_flat f ON f.id = h.flat_id
      JOIN households_stairwell s ON s.id = f.stairwell_id
      JOIN cases_project p ON p.id = c.project_id
      JOIN households_estate e ON e.id = p.estate_id
      LEFT JOIN cases_stairwellschedule ss
        ON ss.project_id = c.project_id AND ss.stairwell_id = f.stairwell_id
"""
OPEN = "c.stage NOT IN ('ended', 'closed')"
CASE_ORDER = " ORDER BY c.next_step_on NULLS LAST, move_out NULLS LAST, c.id LIMIT 50"

# The rows the case page shows, as one would fetch them by hand: the case with its household,
# address, project, schedule and latest assessment, then each list on the page. (The access
# check, the session and the access-log row are the page's own cost, not rows it shows.)
CASE_PAGE = (
    CASE_ROWS + " WHERE c.id = %(case)s",
    """SELECT r.id, r.first_name, r.last_name, r.birth_year, r.phone, r.email, r.language,
              r.is_contact_person
         FROM households_resident r WHERE r.household_id = %(household)s
        ORDER BY r.is_contact_person DESC, r.birth_year, r.id""",
    """SELECT sc.from_stage, sc.to_stage, sc.changed_at, sc.note, u.first_name, u.last_name
         FROM cases_stagechange sc LEFT JOIN auth_user u ON u.id = sc.changed_by_id
        WHERE sc.case_id = %(case)s ORDER BY sc.changed_at DESC, sc.id DESC""",
    """SELECT v.level, v.factors, v.note, v.assessed_at FROM households_vulnerabilityassessment v
        WHERE v.household_id = %(household)s ORDER BY v.assessed_at DESC, v.id DESC LIMIT 1""",
    """SELECT p.started_on, p.closed_on, u.first_name, u.last_name
         FROM referrals_followupplan p LEFT JOIN auth_user u ON u.id = p.bridge_builder_id
        WHERE p.case_id = %(case)s ORDER BY p.started_on DESC, p.id LIMIT 1""",
    """SELECT fl.id, fl.kind, fl.reason_data, fl.raised_at FROM outreach_flag fl
        WHERE fl.household_id = %(household)s AND fl.resolved_at IS NULL ORDER BY fl.kind""",
    """SELECT ct.occurred_at, ct.channel, ct.outcome, ct.note, u.first_name, u.last_name
         FROM outreach_contact ct LEFT JOIN auth_user u ON u.id = ct.staff_id
        WHERE ct.household_id = %(household)s ORDER BY ct.occurred_at DESC, ct.id DESC LIMIT 6""",
    """SELECT i.section, i.kind, i.status, i.note, i.updated_at FROM referrals_checklistitem i
        WHERE i.case_id = %(case)s ORDER BY i.section, i.id""",
    """SELECT m.kind, m.moves_on, m.starts_at, m.status, fs.street, fs.number, ff.floor, ff.door,
              ts.street, ts.number, tf.floor, tf.door
         FROM cases_move m
         JOIN households_flat ff ON ff.id = m.from_flat_id
         JOIN households_stairwell fs ON fs.id = ff.stairwell_id
         JOIN households_flat tf ON tf.id = m.to_flat_id
         JOIN households_stairwell ts ON ts.id = tf.stairwell_id
        WHERE m.case_id = %(case)s AND m.status <> 'cancelled'
        ORDER BY m.moves_on, m.starts_at, m.id""",
    """SELECT o.kind, o.status, o.sent_on, o.reply_due_on, s.street, s.number, f.floor, f.door
         FROM cases_offer o JOIN cases_poolflat pf ON pf.id = o.pool_flat_id
         JOIN households_flat f ON f.id = pf.flat_id
         JOIN households_stairwell s ON s.id = f.stairwell_id
        WHERE o.case_id = %(case)s ORDER BY o.sent_on DESC, o.id DESC""",
    """SELECT x.kind, x.amount, x.spent_on, x.supplier, x.note, x.approved_at
         FROM cases_expense x WHERE x.case_id = %(case)s ORDER BY x.spent_on DESC, x.id DESC""",
    """SELECT a.role, a.assigned_at, u.first_name, u.last_name FROM cases_caseassignment a
         JOIN auth_user u ON u.id = a.user_id WHERE a.case_id = %(case)s
        ORDER BY a.role, a.assigned_at""",
)


def build_pages() -> list[Page]:
    from django.contrib.auth.models import User
    from django.urls import reverse

    from cases.models import CaseAssignment, Project
    from households.models import Estate, Resident

    caseworker = User.objects.get(username="o2-caseworker-1")
    manager = User.objects.get(username="o2-manager-1")
    organisation_id = 2
    cw_estates = list(
        Estate.objects.filter(
            estateuserobjectpermission__user=caseworker,
        ).values_list("pk", flat=True)
    )
    assignment = (
        CaseAssignment.objects.filter(user=caseworker, case__stage="packing")
        .select_related("case__household__flat__stairwell")
        .order_by("case_id")
        .first()
    )
    case = assignment.case
    household = case.household
    stairwell = household.flat.stairwell
    project = Project.objects.filter(estate_id=cw_estates[0]).order_by("-starts_on").first()
    surname = Resident.objects.filter(household=household, is_contact_person=True).get().last_name
    org_staff = list(
        User.objects.filter(
            organisationuserobjectpermission__content_object_id=organisation_id
        ).values_list("pk", flat=True)
    )
    caseload = reverse("cases:caseload")
    access_log = reverse("privacy:access_log")
    address = f"{stairwell.street} {stairwell.number}"
    return [
        Page(
            "caseload_cw",
            "caseload, caseworker",
            caseworker,
            caseload,
            CASE_ROWS + " JOIN cases_caseassignment a ON a.case_id = c.id AND a.user_id = %(user)s"
            f" WHERE {OPEN} AND e.id = ANY(%(estates)s)" + CASE_ORDER,
            {"user": caseworker.pk, "estates": cw_estates},
        ),
        Page(
            "caseload_mgr",
            "caseload, manager",
            manager,
            caseload,
            CASE_ROWS + f" WHERE {OPEN} AND e.organisation_id = %(org)s" + CASE_ORDER,
            {"org": organisation_id},
        ),
        Page(
            "search",
            "caseload search by name (manager)",
            manager,
            f"{caseload}?q={surname}",
            CASE_ROWS + f" WHERE {OPEN} AND e.organisation_id = %(org)s AND EXISTS (SELECT 1 FROM"  # noqa: S608
            " households_resident r WHERE r.household_id = h.id AND r.last_name = %(name)s)"
            + CASE_ORDER,
            {"org": organisation_id, "name": surname},
        ),
        Page(
            "case",
            "case page",
            caseworker,
            reverse("cases:detail", args=[case.pk]),
            CASE_PAGE,
            {"case": case.pk, "household": household.pk},
        ),
        Page(
            "household",
            "household page",
            caseworker,
            reverse("households:detail", args=[household.pk]),
            """SELECT h.*, r.*, c.id, c.stage, p.name FROM households_household h
                 JOIN households_resident r ON r.household_id = h.id
                 LEFT JOIN cases_case c ON c.household_id = h.id
                 LEFT JOIN cases_project p ON p.id = c.project_id WHERE h.id = %(household)s""",
            {"household": household.pk},
        ),
        Page(
            "flags",
            "flags (manager)",
            manager,
            reverse("outreach:flags"),
            """SELECT fl.id, fl.kind, fl.reason, fl.raised_at, s.street, s.number, f.floor,
                      f.door, (SELECT string_agg(r.first_name || ' ' || r.last_name, ', ')
                                 FROM households_resident r WHERE r.household_id = h.id)
                 FROM outreach_flag fl
                 JOIN households_household h ON h.id = fl.household_id
                 JOIN households_flat f ON f.id = h.flat_id
                 JOIN households_stairwell s ON s.id = f.stairwell_id
                 JOIN households_estate e ON e.id = s.estate_id
                WHERE fl.resolved_at IS NULL AND e.organisation_id = %(org)s
                ORDER BY fl.kind = 'safety_concern' DESC, fl.raised_at DESC, fl.id DESC
                LIMIT 50""",
            {"org": organisation_id},
        ),
        Page(
            "round",
            "door-knock round (a stairwell)",
            caseworker,
            reverse("outreach:round_stairwell", args=[stairwell.pk]),
            """SELECT f.id, f.floor, f.door, h.id,
                      (SELECT string_agg(r.first_name || ' ' || r.last_name, ', ')
                         FROM households_resident r WHERE r.household_id = h.id),
                      (SELECT count(*) FROM outreach_contact ct WHERE ct.household_id = h.id),
                      (SELECT max(ct.occurred_at) FROM outreach_contact ct
                        WHERE ct.household_id = h.id AND ct.reached)
                 FROM households_flat f
                 JOIN households_household h ON h.flat_id = f.id AND h.moved_out_on IS NULL
                WHERE f.stairwell_id = %(stairwell)s ORDER BY f.floor, f.door""",
            {"stairwell": stairwell.pk},
        ),
        Page(
            "round_index",
            "door-knock round, its index (caseworker)",
            caseworker,
            reverse("outreach:round"),
            # her estates' stairwells, households and hers, then her own stairwells
            (
                """SELECT s.estate_id, count(DISTINCT s.id), count(*),
                          count(*) FILTER (WHERE h.id IN (
                              SELECT c.household_id FROM cases_case c
                                JOIN cases_caseassignment a ON a.case_id = c.id
                               WHERE a.user_id = %(user)s AND c.stage <> ALL(%(closed)s)))
                     FROM households_household h
                     JOIN households_flat f ON f.id = h.flat_id
                     JOIN households_stairwell s ON s.id = f.stairwell_id
                    WHERE h.moved_out_on IS NULL AND s.estate_id = ANY(%(estates)s)
                    GROUP BY 1""",
                """SELECT DISTINCT s.id, s.street, s.number, s.letter FROM cases_case c
                     JOIN cases_caseassignment a ON a.case_id = c.id
                     JOIN households_household h ON h.id = c.household_id
                     JOIN households_flat f ON f.id = h.flat_id
                     JOIN households_stairwell s ON s.id = f.stairwell_id
                    WHERE a.user_id = %(user)s AND c.stage <> ALL(%(closed)s)
                      AND h.moved_out_on IS NULL
                    ORDER BY s.street, s.number, s.letter LIMIT 21""",
            ),
            {"user": caseworker.pk, "estates": cw_estates, "closed": ["ended", "closed"]},
        ),
        Page(
            "project",
            "project page (manager)",
            manager,
            reverse("cases:project", args=[project.pk]),
            """SELECT f.stairwell_id, c.stage, count(*) FROM cases_case c
                 JOIN households_household h ON h.id = c.household_id
                 JOIN households_flat f ON f.id = h.flat_id
                WHERE c.project_id = %(project)s GROUP BY 1, 2""",
            {"project": project.pk},
        ),
        Page(
            "access_log",
            "access log, newest (manager)",
            manager,
            access_log,
            """SELECT * FROM households_accesslog WHERE user_id = ANY(%(staff)s)
                ORDER BY at DESC, id DESC LIMIT 50""",
            {"staff": org_staff},
        ),
        Page(
            "access_log_search",
            "access log, search an address",
            manager,
            f"{access_log}?q={address.replace(' ', '+')}",
            """SELECT l.* FROM households_accesslog l WHERE l.household_id IN (
                   SELECT h.id FROM households_household h
                     JOIN households_flat f ON f.id = h.flat_id
                    WHERE f.stairwell_id = %(stairwell)s)
                ORDER BY l.at DESC, l.id DESC LIMIT 50""",
            {"stairwell": stairwell.pk},
        ),
    ]


def start_gunicorn(port: int, workers: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.scale.settings",
        "DATABASE_URL": SCALE_DATABASE_URL,
    }
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [
            sys.executable,
            "-m",
            "gunicorn",
            "genhusning.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.5)
    process.terminate()
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def timed(label: str, action) -> tuple[str, float, str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    start = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        note = action()
    return label, time.perf_counter() - start, f"{len(queries)} queries; {note}"


JOBS = ("scan", "named_pdf", "org_pdf", "csv", "xlsx", "import")


def run_jobs(wanted: set[str] | None = None) -> list[tuple[str, float, str]]:
    from django.contrib.auth.models import User
    from django.db import transaction
    from django.test import Client
    from django.urls import reverse

    from cases.models import Project
    from households.models import Estate
    from households.services import tenant_import_apply, tenant_import_upload
    from outreach.scan import flag_scan_run
    from reports.permissions import get_report_scope_for_user, scope_cases
    from reports.selectors import report_build
    from reports.services import report_render
    from tests.households.test_imports import _many_rows

    results = []
    wanted = wanted or set(JOBS)

    def scan() -> str:
        run = flag_scan_run()
        return f"{run.status}, {run.households_scanned} households, raised {run.raised}"

    if "scan" in wanted:
        results.append(timed("flag scan", scan))

    def report(manager, kind, pk, named) -> str:
        scope = get_report_scope_for_user(manager, kind, pk, named=named)
        built = report_build(scope=scope, cases=scope_cases(manager, scope), named=named)
        pdf = report_render(report=built)
        return f"{len(pdf) // 1024} KiB"

    small_estate = Estate.objects.order_by("-pk").first()
    small_manager = User.objects.get(username=f"o{small_estate.organisation_id}-manager-1")
    small_project = Project.objects.filter(estate=small_estate).order_by("-starts_on").first()
    if "named_pdf" in wanted:
        results.append(
            timed(
                f"named project PDF ({small_project.cases.count()} households)",
                lambda: report(small_manager, "project", small_project.pk, True),
            )
        )
    manager_2 = User.objects.get(username="o2-manager-1")
    if "org_pdf" in wanted:
        results.append(
            timed(
                "organisation PDF (8,000 households)",
                lambda: report(manager_2, "organisation", 2, False),
            )
        )
    manager_1 = User.objects.get(username="o1-manager-1")
    client = Client()
    client.force_login(manager_1)
    client.cookies.load(session_cookie(manager_1))
    for fmt in [fmt for fmt in ("csv", "xlsx") if fmt in wanted]:

        def export(fmt=fmt) -> str:
            response = client.get(reverse(f"cases:caseload_{fmt}"), {"scope": "all"})
            assert response.status_code == 200, response.status_code
            body = b"".join(response.streaming_content) if response.streaming else response.content
            return f"{len(body) // 1024} KiB"

        results.append(timed(f"caseload export {fmt.upper()} (~10,000 rows)", export))

    estate = Estate.objects.filter(organisation_id=1).order_by("pk").first()
    content = _many_rows(estate, 5000)

    def tenant_import() -> str:
        with transaction.atomic():
            upload = tenant_import_upload(
                organisation=estate.organisation, by=manager_1, content=content, file_kind="csv"
            )
            plan = tenant_import_apply(tenant_import=upload, by=manager_1)
            transaction.set_rollback(True)  # the bench's database stays as generated
        return str(plan.counts)

    if "import" in wanted:
        results.append(timed("tenant import, 5,000 new rows (rolled back)", tenant_import))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--load-seconds", type=float, default=30)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("--port", type=int, default=8719)
    parser.add_argument("--pages", default="", help="comma-separated keys (default: all)")
    parser.add_argument("--load-pages", default="", help="pages put under load (default: all)")
    parser.add_argument("--no-jobs", action="store_true")
    parser.add_argument("--jobs", default="", help=f"comma-separated, of {','.join(JOBS)}")
    parser.add_argument(
        "--profile", default="", help="write a cProfile of the jobs to this file (with --jobs)"
    )
    parser.add_argument("--no-pages", action="store_true")
    args = parser.parse_args()
    _setup_django()
    from households.models import Organisation

    if not Organisation.objects.exists():
        raise SystemExit("gh_scale50k is empty: run python -m bench.scale.generate first")
    print(
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, {os.uname().nodename}, "
        f"{os.cpu_count()} cores, load {' '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )

    if not args.no_jobs:
        print("\n| job | seconds | notes |\n|---|---:|---|")
        wanted = set(args.jobs.split(",")) if args.jobs else None
        if args.profile:
            import cProfile

            profiler = cProfile.Profile()
            results = profiler.runcall(run_jobs, wanted)
            profiler.dump_stats(args.profile)
        else:
            results = run_jobs(wanted)
        for label, seconds, note in results:
            print(f"| {label} | {seconds:.2f} | {note} |", flush=True)

    if args.no_pages:
        return
    pages = build_pages()
    if args.pages:
        wanted = args.pages.split(",")
        pages = [page for page in pages if page.key in wanted]
    load_pages = set(args.load_pages.split(",")) if args.load_pages else None
    for page in pages:
        page.cookie = session_cookie(page.user)
    server = start_gunicorn(args.port, args.workers)
    try:
        print(
            f"\n{args.workers} gunicorn workers; one request at a time: median and p95 of "
            f"{args.repeat} (server time); load: {args.users} users for {args.load_seconds:g} s"
        )
        print(
            "\n| page | median ms | p95 ms | queries | SQL floor ms | × floor "
            f"| req/s ({args.users} users) | p95 ms under load | errors |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for page in pages:
            warm(args.port, page, args.workers)
            median, p95, queries = single(args.port, page, args.repeat)
            floor_ms = floor(page.floor_sql, page.floor_params, args.repeat)
            if args.load_seconds > 0 and (load_pages is None or page.key in load_pages):
                rps, load_p95, errors = load(args.port, page, args.users, args.load_seconds)
                under_load = f"{rps:.1f} | {load_p95:.0f} | {errors}"
            else:
                under_load = "– | – | –"
            print(
                f"| {page.label} | {median:.1f} | {p95:.1f} | {queries} | {floor_ms:.1f} "
                f"| {median / floor_ms:.1f} | {under_load} |",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
