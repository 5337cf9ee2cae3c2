"""Status reports and case summaries: real PDFs by WeasyPrint, read back with pypdf."""

import io
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from cases.reports.models import ReportJob, ReportStatus
from cases.services import case_advance_stage
from cases.stages import Stage
from households.models import AccessAction, AccessLog
from outreach.models import (
    Channel,
    Contact,
    Flag,
    FlagKind,
    Invitation,
    Meeting,
    Outcome,
    Tip,
    TipSource,
)
from referrals.models import Referral, ReferralStatus
from tests import factories
from tests.conftest import MARKERS

NAME_A1, NOTE_A1, STREET_A1 = MARKERS["case_a1"]
TIP_TEXT = "Hun handler tirsdag formiddag"
CONTACT_MET = "Naboen Henrik Tredjemand"


def pdf_text(content: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return re.sub(r"[ \t]+", " ", text), len(reader.pages)


@pytest.fixture
def world(cast):
    """Project A1: four households; one never reached with move-out in ten days, two reached,
    one packing; a meeting (3 invited, 1 came), a referral sent, an open flag, a tip."""
    case = cast.case_a1
    project = case.project
    estate = project.estate
    now = timezone.now()
    stairwell = case.household.flat.stairwell
    factories.make_schedule(
        project, stairwell, move_out_on=timezone.localdate() + timedelta(days=10)
    )
    others = [
        factories.make_case(
            project,
            factories.make_household(
                factories.make_flat(stairwell, floor=floor, door="th"), f"Anden{floor} Beboer"
            ),
        )
        for floor in (2, 3, 4)
    ]
    worker = cast.caseworker_a1
    for other in others[:2]:
        case_advance_stage(case=other, to_stage=Stage.NOTIFIED, by=worker)
    case_advance_stage(case=others[0], to_stage=Stage.PACKING, by=worker)
    for days, outcome, household in (
        (3, Outcome.TALKED_AT_DOOR, others[0].household),
        (4, Outcome.NO_ANSWER, case.household),
        (10, Outcome.NO_ANSWER, case.household),
        (11, Outcome.VISIT_INSIDE, others[1].household),
        (12, Outcome.NO_ANSWER, others[2].household),
    ):
        Contact.objects.create(
            household=household,
            staff=worker,
            occurred_at=now - timedelta(days=days),
            channel=Channel.DOOR_KNOCK,
            outcome=outcome,
            met=CONTACT_MET if household == case.household else "",
            note=f"CONTACT-NOTE-{household.pk}",
        )
    meeting = Meeting.objects.create(
        project=project, held_at=now - timedelta(days=7), place="Fælleshuset", topic="Infomøde"
    )
    for index, household in enumerate([case.household, others[0].household, others[1].household]):
        Invitation.objects.create(meeting=meeting, household=household, attended=index == 1)
    Flag.objects.create(
        household=case.household, case=case, kind=FlagKind.MISSED_MEETINGS, reason="Udeblev"
    )
    partner = factories.make_partner(estate.organisation)
    Referral.objects.create(
        household=others[1].household,
        case=others[1],
        partner=partner,
        reason="Brug for hjælp til flytning",
        status=ReferralStatus.SENT,
        created_by=worker,
        follow_up_on=timezone.localdate() + timedelta(days=3),
    )
    caretaker = cast.caretaker_a1
    caretaker.first_name, caretaker.last_name = "Kurt", "Viceværtsen"
    caretaker.save()
    Tip.objects.create(
        flat=case.household.flat,
        household=case.household,
        source=TipSource.CARETAKER,
        text=TIP_TEXT,
        submitted_by=caretaker,
    )
    return {"project": project, "others": others}


def print_report(client, kind: str, target: int, *, named: bool = False):
    data = {"kind": kind, "target": target}
    if named:
        data["named"] = "on"
    return client.post(reverse("reports:print"), data)


def test_it_prints_a_pseudonymised_project_report_with_the_right_numbers(client, cast, world):
    client.force_login(cast.manager_a)
    response = print_report(client, "project", world["project"].pk)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text, pages = pdf_text(response.content)
    assert 2 <= pages <= 6
    assert "Projektstatusrapport" in text and "Boligselskabet A" in text
    assert f"Side 1 af {pages}" in text
    assert "Ikke nået i 30 dage: 2 husstande" in text  # case_a1 (never) and the fourth
    assert "Fraflytning inden for 14 dage, nedpakning ikke begyndt: 3 husstande" in text
    assert "Markørvej 3, 1. tv" in text  # flat addresses, not names
    assert "1 af 3 · 33 %" in text  # the meeting's attendance on its bar
    for name_or_note in (NAME_A1, NOTE_A1, f"ASSESSMENT-{NOTE_A1}", "Anden2 Beboer", TIP_TEXT):
        assert name_or_note not in text
    assert "CONTACT-NOTE" not in text and CONTACT_MET not in text
    assert "FORTROLIGT" not in text.upper()
    for other_case in ("case_a2", "case_b1"):
        for marker in MARKERS[other_case]:
            assert marker not in text


def test_it_prints_the_named_report_marked_confidential_on_every_page(client, cast, world):
    client.force_login(cast.manager_a)
    response = print_report(client, "project", world["project"].pk, named=True)
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    for page in reader.pages:
        assert "FORTROLIGT" in page.extract_text()
    text, _pages = pdf_text(response.content)
    assert NAME_A1 in text
    assert NOTE_A1 not in text  # names, yes; the social note never goes on a board report
    logged = AccessLog.objects.filter(action=AccessAction.PRINT, user=cast.manager_a)
    shown = {world["others"][1].household_id, world["others"][2].household_id}
    assert {cast.case_a1.household_id} | shown <= set(logged.values_list("household_id", flat=True))
    assert logged.first().what == "project status report (named)"


def test_it_logs_one_row_for_a_pseudonymised_print(client, cast, world):
    client.force_login(cast.manager_a)
    print_report(client, "project", world["project"].pk)
    rows = list(AccessLog.objects.filter(user=cast.manager_a, action=AccessAction.PRINT))
    assert len(rows) == 1 and rows[0].household_id is None
    assert rows[0].what == "project status report (pseudonymised)"


def test_it_refuses_the_named_report_to_a_role_without_names(client, cast, world):
    client.force_login(cast.rehousing_officer_a1)
    assert print_report(client, "project", world["project"].pk).status_code == 200
    response = print_report(client, "project", world["project"].pk, named=True)
    assert response.status_code == 403
    assert NAME_A1.encode() not in response.content
    assert not AccessLog.objects.filter(
        user=cast.rehousing_officer_a1, what__contains="named"
    ).exists()


@pytest.mark.parametrize("user", ["manager_b", "caseworker_b1", "caseworker_a2", "visitator"])
def test_it_answers_404_for_a_project_of_another_estate_or_organisation(client, cast, world, user):
    client.force_login(getattr(cast, user))
    for response in (
        print_report(client, "project", world["project"].pk),
        print_report(client, "project", world["project"].pk, named=True),
        client.get(reverse("reports:project", args=[world["project"].pk])),
        print_report(client, "estate", world["project"].estate_id),
        print_report(client, "organisation", world["project"].estate.organisation_id),
    ):
        assert response.status_code == 404
        for marker in MARKERS["case_a1"]:
            assert marker.encode() not in response.content


def test_it_prints_an_estate_report_and_a_caseload_report(client, cast, world):
    from cases.services import case_assign_staff

    case_assign_staff(case=cast.case_a1, user=cast.caseworker_a1, by=cast.manager_a)
    client.force_login(cast.caseworker_a1)
    response = print_report(client, "estate", cast.case_a1.project.estate_id)
    text, _pages = pdf_text(response.content)
    assert "Afdelingsrapport" in text and "Vestergården" in text
    response = print_report(client, "caseload", cast.caseworker_a1.pk, named=True)
    text, _pages = pdf_text(response.content)
    assert "Sagsstammerapport" in text and "Maja Holm" in text
    assert "husstande i rapporten" in " ".join(text.split()) and NAME_A1 in text
    assert "Anden2 Beboer" not in text  # not her case
    # Another caseworker's caseload is not hers to print.
    assert print_report(client, "caseload", cast.caseworker_a2.pk).status_code == 404


def test_it_prints_a_case_summary_and_the_households_own_copy(client, cast, world):
    client.force_login(cast.caseworker_a1)
    url = reverse("reports:case_summary", args=[cast.case_a1.pk])
    text, pages = pdf_text(client.post(url).content)
    assert pages >= 1 and "FORTROLIGT" in text
    for expected in (NAME_A1, NOTE_A1, TIP_TEXT, "Kurt Viceværtsen", CONTACT_MET):
        assert expected in text
    response = client.post(url, {"own_copy": "on"})
    text, _pages = pdf_text(response.content)
    assert "De oplysninger, vi har om dig" in text
    assert NAME_A1 in text and NOTE_A1 in text and TIP_TEXT in text
    for third_party in ("Kurt Viceværtsen", "caretaker_a1", CONTACT_MET, "Ejendomsfunktionær"):
        assert third_party not in text
    assert "FORTROLIGT" not in text
    rows = AccessLog.objects.filter(user=cast.caseworker_a1, action=AccessAction.PRINT)
    assert set(rows.values_list("household_id", flat=True)) == {cast.case_a1.household_id}
    assert rows.count() == 2


def test_a_long_case_summary_is_made_by_the_worker_with_a_progress_page(
    client, cast, world, settings, django_capture_on_commit_callbacks
):
    """Above CASE_SUMMARY_ASYNC_ENTRIES the web request only orders it (no PDF rendered in the
    request); the job page follows it and the download is logged like the direct PDF."""
    settings.CASE_SUMMARY_ASYNC_ENTRIES = 0
    client.force_login(cast.caseworker_a1)
    url = reverse("reports:case_summary", args=[cast.case_a1.pk])
    with django_capture_on_commit_callbacks(execute=True):  # the worker's task, run inline
        response = client.post(url, {"own_copy": "on"})
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("reports:job", args=[job.pk])
    assert (job.kind, job.own_copy, job.target_id) == ("case_summary", True, cast.case_a1.pk)
    assert job.status == ReportStatus.DONE and job.household_ids == [cast.case_a1.household_id]
    assert not AccessLog.objects.filter(action=AccessAction.PRINT).exists()  # not downloaded

    page = client.get(reverse("reports:job", args=[job.pk])).content.decode()
    assert "Sagsresumé" in page and "Hent PDF-filen" in page
    download = client.get(reverse("reports:job_download", args=[job.pk]))
    try:
        text, _pages = pdf_text(b"".join(download.streaming_content))
        assert "De oplysninger, vi har om dig" in text and NAME_A1 in text
        assert CONTACT_MET not in text  # the household's own copy
        assert "sagsresume-" in download["Content-Disposition"]
        row = AccessLog.objects.get(action=AccessAction.PRINT)
        assert (row.user, row.household_id) == (cast.caseworker_a1, cast.case_a1.household_id)
        client.force_login(cast.caseworker_b1)  # another caseworker: not hers
        assert client.get(reverse("reports:job", args=[job.pk])).status_code == 404
    finally:
        job.file.delete(save=False)


def test_it_refuses_the_case_summary_without_social_rights_or_sight(client, cast, world):
    url = reverse("reports:case_summary", args=[cast.case_a1.pk])
    client.force_login(cast.rehousing_officer_a1)
    assert client.post(url).status_code == 403
    client.force_login(cast.caseworker_b1)
    response = client.post(url)
    assert response.status_code == 404 and NAME_A1.encode() not in response.content
    client.force_login(cast.caseworker_a1)
    assert client.get(url).status_code == 405


def test_it_shows_the_report_page_with_charts_and_no_households(client, cast, world):
    client.force_login(cast.manager_a)
    response = client.get(reverse("reports:project", args=[world["project"].pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("<svg") == 3 and "Stadietragt" in body
    assert "<strong>2</strong><span>ikke nået i 30 dage" in body
    assert "<strong>3</strong><span>fraflytning snart" in body
    assert "Udskriv med navne" in body
    for marker in (NAME_A1, NOTE_A1, "Markørvej 3, 1. tv"):
        assert marker not in body
    client.force_login(cast.rehousing_officer_a1)
    body = client.get(reverse("reports:project", args=[world["project"].pk])).content.decode()
    assert "Udskriv med navne" not in body


def test_it_draws_the_page_charts_accessible_without_inline_style_and_escaped(client, cast, world):
    Meeting.objects.filter(project=world["project"]).update(topic='<b>Info</b> & "møde"')
    client.force_login(cast.manager_a)

    body = client.get(reverse("reports:project", args=[world["project"].pk])).content.decode()

    charts = re.findall(r"<svg.*?</svg>", body, re.S)
    names = ("Stadietragt", "Kontakter pr. uge", "Fremmøde pr. møde")
    for chart, name in zip(charts, names, strict=True):
        assert f'role="img" aria-label="{name}"' in chart and f"<title>{name}</title>" in chart
        assert " style=" not in chart  # the CSP allows no inline style
    shown = " ".join(re.findall(r"<tspan[^>]*>([^<]*)</tspan>", charts[2]))  # wrapped
    assert "&lt;b&gt;Info&lt;/b&gt; &amp; &quot;møde&quot;" in shown
    assert "<b>Info</b>" not in body
    assert "url(#hatch-contacts)" in charts[1]  # reached differs from tried by hatching


def test_it_draws_each_chart_of_an_empty_project_as_nothing_to_show(client, cast):
    project = factories.make_project(cast.case_a1.project.estate, name="Tomt projekt")
    client.force_login(cast.manager_a)

    body = client.get(reverse("reports:project", args=[project.pk])).content.decode()

    charts = re.findall(r"<svg.*?</svg>", body, re.S)
    assert len(charts) == 3
    assert all('role="img"' in chart and "Intet at vise endnu." in chart for chart in charts)


def _grow(project, count: int) -> None:
    for household in factories.make_households(project.estate, count):
        case = factories.make_case(project, household)
        Contact.objects.create(
            household=household, case=case, channel=Channel.PHONE, outcome=Outcome.TALKED
        )


def test_it_keeps_the_report_page_queries_flat_as_cases_grow(client, cast, world):
    client.force_login(cast.manager_a)
    url = reverse("reports:project", args=[world["project"].pk])
    counts = []
    for extra in (0, 40):
        _grow(world["project"], extra)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_it_pins_the_report_page_query_count(client, cast, world, django_assert_max_num_queries):
    client.force_login(cast.manager_a)
    url = reverse("reports:project", args=[world["project"].pk])
    with django_assert_max_num_queries(14):
        client.get(url)
    _grow(world["project"], 30)
    with django_assert_max_num_queries(14):
        client.get(url)


def test_the_page_counts_what_the_printed_report_lists(cast, world):
    """The page's numbers (one aggregate, the history counted by the database) are the printed
    report's: its lists' lengths, and the funnel and stages by month from the same changes."""
    from reports.permissions import get_report_scope_for_user, scope_cases
    from reports.selectors import report_build

    project = world["project"]
    case = cast.case_a1
    case_advance_stage(case=case, to_stage=Stage.NOTIFIED, by=cast.manager_a)
    scope = get_report_scope_for_user(cast.manager_a, "project", project.pk)
    page = report_build(
        scope=scope, cases=scope_cases(cast.manager_a, scope), named=False, lists=False
    )
    printed = report_build(scope=scope, cases=scope_cases(cast.manager_a, scope), named=False)
    assert page.not_reached_count == len(printed.not_reached) > 0
    assert page.packing_late_count == len(printed.packing_late) > 0
    assert (page.case_total, page.open_total) == (printed.case_total, printed.open_total)
    # a project: one case a household
    assert page.household_total == printed.household_total == page.case_total
    assert page.funnel == printed.funnel and page.over_time == printed.over_time
    assert dict(page.funnel)["Varslet"] >= 1
    stages_now = {label: counts[-1] for label, counts in page.over_time}
    assert stages_now[str(Stage.NOTIFIED.label)] >= 1


def test_it_orders_a_large_report_from_a_worker_only_its_orderer_downloads(
    client, cast, world, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.STORAGES = {
        **settings.STORAGES,
        "reports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    settings.REPORT_ASYNC_HOUSEHOLDS = 2
    client.force_login(cast.manager_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = print_report(client, "project", world["project"].pk, named=True)
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "reports:job", args=[job.pk]
    )
    assert job.status == ReportStatus.DONE  # eager here; tests/reports/test_worker.py
    download = client.get(reverse("reports:job_download", args=[job.pk]))
    text, _pages = pdf_text(b"".join(download.streaming_content))
    assert NAME_A1 in text and "FORTROLIGT" in text
    logged = AccessLog.objects.filter(user=cast.manager_a, action=AccessAction.PRINT)
    assert cast.case_a1.household_id in set(logged.values_list("household_id", flat=True))
    for other in ("caseworker_a1", "manager_b"):
        client.force_login(getattr(cast, other))
        for name in ("reports:job", "reports:job_download"):
            response = client.get(reverse(name, args=[job.pk]))
            assert response.status_code == 404 and NAME_A1.encode() not in response.content


def test_it_shows_the_progress_fragment_while_a_worker_runs(client, cast):
    job = ReportJob.objects.create(
        kind="project",
        target_id=cast.case_a1.project_id,
        ordered_by=cast.manager_a,
        status=ReportStatus.RUNNING,
        progress=50,
    )
    client.force_login(cast.manager_a)
    url = reverse("reports:job", args=[job.pk])
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'value="50"' in fragment and 'hx-trigger="every 2s"' in fragment
    assert "<html" not in fragment
    page = client.get(url).content.decode()
    assert "<html" in page and "Laver rapporten" in page
    assert client.get(reverse("reports:job_download", args=[job.pk])).status_code == 404


def test_it_stops_waiting_for_a_job_whose_worker_is_gone(client, cast, settings):
    job = ReportJob.objects.create(
        kind="project",
        target_id=cast.case_a1.project_id,
        ordered_by=cast.manager_a,
        status=ReportStatus.RUNNING,
        started_at=timezone.now() - timedelta(seconds=settings.REPORT_SOFT_TIME_LIMIT + 300),
    )
    client.force_login(cast.manager_a)
    fragment = client.get(reverse("reports:job", args=[job.pk]), HTTP_HX_REQUEST="true")
    body = fragment.content.decode()
    assert "hx-trigger" not in body and "Rapporten kunne ikke laves" in body


def test_the_meeting_chart_shows_a_long_meeting_name_whole(client, cast, world):
    topic = "Genhusning i Kløvermarken: informationsmøde om tidsplan og genhusningsboliger"
    Meeting.objects.filter(project=world["project"]).update(topic=topic)
    client.force_login(cast.manager_a)

    body = client.get(reverse("reports:project", args=[world["project"].pk])).content.decode()

    chart = re.findall(r"<svg.*?</svg>", body, re.S)[2]
    shown = " ".join(re.findall(r"<tspan[^>]*>([^<]*)</tspan>", chart))
    assert topic in shown and "…" not in chart
    assert chart.count("<tspan") > 1  # on more lines than one, within the chart


def test_a_long_list_is_printed_compactly_with_the_same_households(
    client, cast, world, monkeypatch
):
    """An organisation's thousands of households: over LONG_LIST rows a list is printed as one
    paragraph per stairwell (or per day), each household in it with the same facts."""
    from reports import services

    monkeypatch.setattr(services, "LONG_LIST", 1)
    client.force_login(cast.manager_a)
    response = print_report(client, "project", world["project"].pk, named=True)
    assert response.status_code == 200
    text, _pages = pdf_text(response.content)
    assert "En lang liste: ét afsnit pr. opgang" in text
    assert "Ikke nået i 30 dage: 2 husstande" in text
    flat = cast.case_a1.household.flat
    assert f"{flat.unit} ({NAME_A1}" in text  # the flat, then the household's name
    assert "forsøg" in text and "sidst nået aldrig" in text
    assert NOTE_A1 not in text
    logged = AccessLog.objects.filter(action=AccessAction.PRINT, user=cast.manager_a)
    assert cast.case_a1.household_id in set(logged.values_list("household_id", flat=True))


def test_compact_rows_group_by_stairwell_or_by_day(settings):
    from datetime import date

    from reports.selectors import HouseholdRow, compact_rows

    rows = [
        HouseholdRow(1, "Blokvej 1, st. th", "Varslet", date=date(2026, 3, 4), attempts=2),
        HouseholdRow(2, "Blokvej 1, 1. tv", "Nedpakning", attempts=0),
        HouseholdRow(3, "Blokvej 3", "Varslet", date=date(2026, 3, 4), attempts=1),
    ]
    groups = compact_rows(rows, named=False, date_label="Sidst nået", attempts=True)
    assert [group.heading for group in groups] == ["Blokvej 1", "Blokvej 3"]
    assert groups[0].text == (
        "st. th: Varslet, sidst nået 04.03.2026, 2 forsøg; "
        "1. tv: Nedpakning, sidst nået aldrig, 0 forsøg"
    )
    by_day = compact_rows(rows, named=False, date_label="Forfalder", by_date=True)
    assert [group.heading for group in by_day] == ["04.03.2026", "aldrig", "04.03.2026"]
    assert by_day[0].text == "Blokvej 1, st. th: Varslet"


def test_list_rows_and_count_runs_set_each_fact_in_its_column():
    """A printed list's date, attempts and stage are one text apart by tabs (the stage, of varying
    width, last); a stage table's counts one text in fields of equal width, zeros blank."""
    from datetime import date

    from reports.selectors import (
        FIGURE_SPACE,
        HouseholdRow,
        count_runs,
        count_width,
        list_rows,
    )

    rows = [
        HouseholdRow(
            1, "Blokvej 1, st. th", "Varslet", name="A", date=date(2026, 3, 4), attempts=12
        ),
        HouseholdRow(2, "Blokvej 1, 1. tv", "Nedpakning", attempts=3),
    ]
    listed = list_rows(rows, attempts=True)
    assert [item.row for item in listed] == rows
    assert [item.facts for item in listed] == [
        "04.03.2026\t12\tVarslet",
        f"aldrig\t{FIGURE_SPACE}3\tNedpakning",
    ]
    assert list_rows(rows[:1])[0].facts == "04.03.2026\tVarslet"
    assert count_runs([[0, 3, 12]], 4) == [
        FIGURE_SPACE * 4 + FIGURE_SPACE * 3 + "3" + FIGURE_SPACE * 2 + "12"
    ]
    assert (count_width(11, page=66), count_width(14, page=66), count_width(6)) == (6, 5, 12)
    assert count_width(14, largest=123456, page=66) == 7
