"""The municipal visitator's pages: the affected flats (flat level, filters, states, CSV and PDF),
the households whose consent covers her, and the referrals sent to her partner."""

import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from cases.models import Case, StageChange
from cases.stages import EndReason, Stage
from households.models import AccessAction, AccessLog, Resident
from referrals.consents.services import consent_record, consent_withdraw
from referrals.models import DataCategory, PartnerKind, Purpose, ReferralStatus
from referrals.services import referral_create
from referrals.services import referral_transition as transition
from tests import factories
from tests.exports import read_export

ALL_CATEGORIES = list(DataCategory.values)


def consent(household, by, partner=None, categories=ALL_CATEGORIES, resident=None, **fields):
    fields.setdefault("given_on", timezone.localdate() - timedelta(days=10))
    if partner is None:
        fields.setdefault("partner_kind", PartnerKind.MUNICIPAL_VISITATOR)
    return consent_record(
        household=household,
        by=by,
        given_by="Givet af beboeren",
        purpose=Purpose.REHOUSING,
        categories=categories,
        method="written",
        partner=partner,
        resident=resident,
        **fields,
    )


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def schedule(cast):
    case = cast.case_a1
    return factories.make_schedule(
        case.project,
        case.household.flat.stairwell,
        notice_on=date(2026, 2, 1),
        packing_on=date(2026, 4, 1),
        move_out_on=date(2026, 5, 1),
        return_on=date(2027, 3, 1),
    )


# --- the start page and the gate ---


def test_home_sends_the_visitator_to_her_flat_list(client, cast, visitator_partner):
    client.force_login(cast.visitator)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:visitator_flats")


VISITATOR_LISTS = [
    "visitator_flats",
    "visitator_flats_csv",
    "visitator_flats_xlsx",
    "visitator_flats_pdf",
    "visitator_households",
    "visitator_referrals",
]


@pytest.mark.parametrize("url_name", VISITATOR_LISTS)
@pytest.mark.parametrize("role", ["caseworker_a1", "manager_a", "caretaker_a1", "visitator"])
def test_only_someone_acting_for_a_visitator_partner_gets_the_pages(
    client, cast, schedule, role, url_name
):
    """The visitator without a partner, and staff, get 404 (nothing tells the pages exist)."""
    client.force_login(getattr(cast, role))
    response = client.get(reverse(f"referrals:{url_name}"))
    assert response.status_code == 404
    assert "Markørvej" not in response.content.decode(errors="replace")


def test_a_partner_of_another_kind_is_no_visitator(client, cast, schedule):
    from guardian.shortcuts import assign_perm

    partner = factories.make_partner(cast.case_a1.project.estate.organisation, "Hjemmeplejen")
    assign_perm("referrals.act_for_partner", cast.visitator, partner)
    client.force_login(cast.visitator)
    assert client.get(reverse("referrals:visitator_flats")).status_code == 404


def test_anonymous_users_go_to_the_login_page(client, cast, visitator_partner):
    response = client.get(reverse("referrals:visitator_flats"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize("url_name", VISITATOR_LISTS)
def test_the_lists_refuse_post(client, cast, visitator_partner, url_name):
    client.force_login(cast.visitator)
    assert client.post(reverse(f"referrals:{url_name}")).status_code == 405


# --- the affected flats ---


def test_it_lists_the_flats_with_the_schedule_and_no_person(
    client, cast, visitator_partner, schedule
):
    client.force_login(cast.visitator)
    response = client.get(reverse("referrals:visitator_flats"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Markørvej 3, 1. tv" in body
    assert "1. feb 2026" in body and "1. maj 2026" in body and "1. mar 2027" in body
    assert "Beboet" in body
    for marker in ("Agnete Markørsen", "SOCIAL-NOTE-A1-7731", "ASSESSMENT", "Besøg igen"):
        assert marker not in body
    # Køge (another municipality, another organisation) is not hers
    assert "Fjernvej" not in body


def test_it_shows_only_her_municipality_in_her_partners_register(client, cast, visitator_partner):
    """A Hvidovre estate of organisation B is not shown through organisation A's partner."""
    org_b = cast.case_b1.project.estate.organisation
    estate = factories.make_estate(org_b, "Hvidovre B")  # municipality Hvidovre
    project = factories.make_project(estate)
    stairwell = factories.make_stairwell(estate, street="Andenvej")
    factories.make_flat(stairwell)
    factories.make_schedule(project, stairwell, move_out_on=date(2026, 6, 1))
    a1 = cast.case_a1
    factories.make_schedule(a1.project, a1.household.flat.stairwell)
    client.force_login(cast.visitator)
    body = client.get(reverse("referrals:visitator_flats")).content.decode()
    assert "Markørvej" in body
    assert "Andenvej" not in body


def _flat_with_case(project, stairwell, door, stage=None, **fields):
    flat = factories.make_flat(stairwell, floor=2, door=door)
    if stage is None:
        return flat
    household = factories.make_household(flat, f"Person{door} Hansen")
    case = factories.make_case(project, household, stage=stage, **fields)
    return case


def test_each_flat_says_what_it_is_used_for_now(client, cast, visitator_partner):
    project = cast.case_a1.project
    stairwell = factories.make_stairwell(project.estate, street="Tilstandsvej", number=1)
    factories.make_schedule(project, stairwell, move_out_on=date(2026, 5, 1))
    _flat_with_case(project, stairwell, "1", Stage.NOTIFIED)
    _flat_with_case(project, stairwell, "2", Stage.TEMPORARY)
    _flat_with_case(project, stairwell, "3", Stage.RETURNED)
    _flat_with_case(project, stairwell, "4", Stage.MOVED_PERMANENTLY)
    _flat_with_case(project, stairwell, "5", Stage.ENDED, end_reason=EndReason.DECEASED)
    _flat_with_case(project, stairwell, "6")  # nobody lives there
    used = _flat_with_case(project, stairwell, "7")
    other = factories.make_case(project)  # a household from elsewhere lives in flat 7 for now
    Case.objects.filter(pk=other.pk).update(stage=Stage.TEMPORARY, temporary_flat=used)
    closed = _flat_with_case(project, stairwell, "8", Stage.CLOSED)
    for to_stage in (Stage.RETURNED, Stage.REESTABLISHED, Stage.CLOSED):
        StageChange.objects.create(case=closed, to_stage=to_stage)

    client.force_login(cast.visitator)
    response = client.get(reverse("referrals:visitator_flats"), {"stairwell": stairwell.pk})
    states = {flat.door: str(flat.state.label) for flat in response.context["page"].object_list}
    assert states == {
        "1": "Beboet",
        "2": "Tom – husstanden er midlertidigt genhuset",
        "3": "Hjemflyttet",
        "4": "Tom – fraflyttet permanent",
        "5": "Tom – fraflyttet permanent",
        "6": "Tom",
        "7": "Bruges som midlertidig bolig",
        "8": "Hjemflyttet",
    }
    body = response.content.decode()
    assert "Afdød" not in body and "Død" not in body  # the reason for ending is the person's


def test_it_filters_by_project_estate_and_stairwell(client, cast, visitator_partner, schedule):
    a2 = cast.case_a2
    factories.make_schedule(a2.project, a2.household.flat.stairwell, move_out_on=date(2026, 9, 1))
    client.force_login(cast.visitator)
    url = reverse("referrals:visitator_flats")

    def streets(**params):
        page = client.get(url, params).context["page"]
        return {flat.stairwell.street for flat in page.object_list}

    assert streets() == {"Markørvej", "Skjultvej"}
    assert streets(project=a2.project_id) == {"Skjultvej"}
    assert streets(estate=cast.case_a1.project.estate_id) == {"Markørvej"}
    assert streets(stairwell=a2.household.flat.stairwell_id) == {"Skjultvej"}
    # a filter outside her choices is ignored, not obeyed
    assert streets(project=cast.case_b1.project_id) == {"Markørvej", "Skjultvej"}


@pytest.mark.parametrize("count", [10, 120])
def test_the_flat_list_query_count_is_flat(
    client, cast, visitator_partner, django_assert_max_num_queries, count
):
    project = cast.case_a1.project
    households = factories.make_households(project.estate, count)
    factories.make_schedule(project, households[0].flat.stairwell, move_out_on=date(2026, 5, 1))
    for household in households[::3]:
        factories.make_case(project, household)
    client.force_login(cast.visitator)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("referrals:visitator_flats"))
    assert len(response.context["page"].object_list) == min(count, 50)


@pytest.mark.parametrize(
    ("fmt", "what"), [("csv", "affected flats (CSV)"), ("xlsx", "affected flats (Excel)")]
)
def test_the_export_has_the_flats_and_is_logged(
    client, cast, visitator_partner, schedule, fmt, what
):
    client.force_login(cast.visitator)
    response = client.get(reverse(f"referrals:visitator_flats_{fmt}"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = read_export(response)
    assert rows[0][0] == "Afdeling"
    assert rows[1][2:5] == ["Markørvej 3", "1.", "tv"]
    assert rows[1][7:12] == ["01-02-2026", "01-04-2026", "01-05-2026", "01-03-2027", "Beboet"]
    entry = AccessLog.objects.get()
    assert (entry.user, entry.action, entry.what) == (cast.visitator, AccessAction.EXPORT, what)
    assert entry.household_id is None  # flat level: no household is in the file


def test_the_export_carries_the_filter_of_the_page(client, cast, visitator_partner, schedule):
    client.force_login(cast.visitator)
    stairwell = factories.make_stairwell(cast.case_a1.project.estate, street="Filtervej")
    for floor in range(3):
        factories.make_flat(stairwell, floor=floor)
    factories.make_schedule(cast.case_a1.project, stairwell, move_out_on=date(2026, 6, 1))
    query = {"stairwell": stairwell.pk}
    page = client.get(reverse("referrals:visitator_flats"), query).context["page"]
    rows = read_export(client.get(reverse("referrals:visitator_flats_xlsx"), query))
    assert len(rows) - 1 == page.paginator.count == 3
    assert {row[2] for row in rows[1:]} == {str(stairwell)}
    everything = read_export(client.get(reverse("referrals:visitator_flats_xlsx")))
    assert len(everything) > len(rows)


def test_the_pdf_has_the_municipality_the_date_and_page_numbers(
    client, cast, visitator_partner, schedule
):
    client.force_login(cast.visitator)
    response = client.get(
        reverse("referrals:visitator_flats_pdf"), {"project": cast.case_a1.project_id}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = pdf_text(response.content)
    assert "Hvidovre Kommune" in text
    assert "Markørvej 3, 1. tv" in text
    assert "Side 1 af 1" in text
    assert timezone.localdate().strftime("%Y") in text
    assert "Helhedsplan Vestergården" in text
    assert abs(float(reader.pages[0].mediabox.width) - 595.3) < 1  # A4
    assert "Agnete" not in text
    entry = AccessLog.objects.get()
    assert (entry.action, entry.what) == (AccessAction.EXPORT, "affected flats (PDF)")


def test_the_pdf_runs_onto_more_pages_with_the_header_on_each(client, cast, visitator_partner):
    project = cast.case_a1.project
    households = factories.make_households(project.estate, 60)
    factories.make_schedule(project, households[0].flat.stairwell)
    client.force_login(cast.visitator)
    response = client.get(reverse("referrals:visitator_flats_pdf"))
    pages = PdfReader(io.BytesIO(response.content)).pages
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        text = page.extract_text()
        assert f"Side {number} af {len(pages)}" in text
        assert "Hvidovre Kommune" in text


def test_a_long_flat_list_is_made_by_the_worker_with_her_filters(
    client, cast, visitator_partner, schedule, settings, django_capture_on_commit_callbacks
):
    """Above VISITATOR_FLATS_ASYNC_ROWS the request only orders the PDF; the reports' job page
    follows it, only she downloads it, with the same access-log row as the direct PDF."""
    from cases.reports.models import ReportJob, ReportStatus

    settings.VISITATOR_FLATS_ASYNC_ROWS = 0
    client.force_login(cast.visitator)
    url = reverse("referrals:visitator_flats_pdf")
    with django_capture_on_commit_callbacks(execute=True):  # the worker's task, run inline
        response = client.get(url, {"project": cast.case_a1.project_id})
    job = ReportJob.objects.get(kind="visitator_flats")
    assert response.status_code == 302 and response.url == reverse("reports:job", args=[job.pk])
    assert job.status == ReportStatus.DONE and job.household_ids == []
    assert job.options["project"] == str(cast.case_a1.project_id)
    assert not AccessLog.objects.exists()  # not downloaded yet
    try:
        page = client.get(reverse("reports:job", args=[job.pk]))
        assert page.status_code == 200 and "Berørte boliger" in page.content.decode()
        # the page's words follow the job's kind (its maker's JobWords), not "the report"
        assert "Din liste over berørte boliger (PDF) er klar." in page.content.decode()
        assert "Rapporten er klar" not in page.content.decode()
        download = client.get(reverse("reports:job_download", args=[job.pk]))
        assert download["Content-Type"] == "application/pdf"
        text = pdf_text(b"".join(download.streaming_content))
        assert "Hvidovre Kommune" in text and "Markørvej 3, 1. tv" in text
        assert "Helhedsplan Vestergården" in text and "Agnete" not in text
        entry = AccessLog.objects.get()
        assert (entry.action, entry.what) == (AccessAction.EXPORT, "affected flats (PDF)")
        assert entry.user == cast.visitator
        for other in (cast.caseworker_a1, cast.manager_a):  # not theirs: 404
            client.force_login(other)
            assert client.get(reverse("reports:job", args=[job.pk])).status_code == 404
            assert client.get(reverse("reports:job_download", args=[job.pk])).status_code == 404
        assert AccessLog.objects.filter(action=AccessAction.EXPORT).count() == 1
    finally:
        job.file.delete(save=False)


def test_a_short_flat_list_stays_in_the_request(client, cast, visitator_partner, schedule):
    from cases.reports.models import ReportJob

    client.force_login(cast.visitator)
    response = client.get(reverse("referrals:visitator_flats_pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert not ReportJob.objects.filter(kind="visitator_flats").exists()


# --- households with consent ---


def test_without_consent_she_sees_no_household(client, cast, visitator_partner, schedule):
    client.force_login(cast.visitator)
    response = client.get(reverse("referrals:visitator_households"))
    assert response.context["page"].paginator.count == 0
    household_url = reverse("referrals:visitator_household", args=[cast.case_a1.household_id])
    assert client.get(household_url).status_code == 404


def test_with_consent_she_sees_the_household_and_the_view_is_logged(
    client, cast, visitator_partner
):
    household = cast.case_a1.household
    consent(household, cast.caseworker_a1, visitator_partner, ["identity", "housing"])
    client.force_login(cast.visitator)
    listing = client.get(reverse("referrals:visitator_households")).content.decode()
    assert "Agnete Markørsen" in listing
    response = client.get(reverse("referrals:visitator_household", args=[household.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Agnete Markørsen" in body and "Identificeret" in body
    assert "SOCIAL-NOTE-A1-7731" not in body and "Misbrug" not in body
    resident = household.residents.get()
    rows = AccessLog.objects.filter(what="shared household page")
    assert {(row.household_id, row.resident_id) for row in rows} == {(household.pk, resident.pk)}
    assert all(row.user == cast.visitator for row in rows)
    assert AccessLog.objects.filter(what="shared households (list)").exists()


def test_a_residents_own_consent_shows_only_her_names(client, cast, visitator_partner):
    household = cast.case_a1.household
    other = Resident.objects.create(
        household=household, first_name="Ole", last_name="Andensen", phone="11223344"
    )
    consenting = household.residents.get(first_name="Agnete")
    consent(household, cast.caseworker_a1, visitator_partner, ["identity"], resident=consenting)
    client.force_login(cast.visitator)
    body = client.get(
        reverse("referrals:visitator_household", args=[household.pk])
    ).content.decode()
    assert "Agnete Markørsen" in body
    assert "Andensen" not in body and other.phone not in body
    assert "kun denne beboers" in body


def test_a_withdrawn_consent_hides_the_household_on_the_next_request(
    client, cast, visitator_partner
):
    household = cast.case_a1.household
    given = consent(household, cast.caseworker_a1, visitator_partner, ["identity", "social"])
    client.force_login(cast.visitator)
    url = reverse("referrals:visitator_household", args=[household.pk])
    assert "SOCIAL-NOTE-A1-7731" in client.get(url).content.decode()
    consent_withdraw(consent=given, by=cast.caseworker_a1)
    assert client.get(url).status_code == 404
    listing = client.get(reverse("referrals:visitator_households")).content.decode()
    assert "Agnete" not in listing


def test_an_expired_consent_or_one_for_another_partner_shows_nothing(
    client, cast, visitator_partner
):
    household = cast.case_a1.household
    org_a = cast.case_a1.project.estate.organisation
    home_care = factories.make_partner(org_a, "Hjemmeplejen Syd")
    consent(household, cast.caseworker_a1, home_care)
    consent(
        household,
        cast.caseworker_a1,
        visitator_partner,
        given_on=timezone.localdate() - timedelta(days=100),
        expires_on=timezone.localdate() - timedelta(days=1),
    )
    client.force_login(cast.visitator)
    url = reverse("referrals:visitator_household", args=[household.pk])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("count", [5, 60])
def test_the_household_list_query_count_is_flat(
    client, cast, visitator_partner, django_assert_max_num_queries, count
):
    project = cast.case_a1.project
    for household in factories.make_households(project.estate, count):
        factories.make_case(project, household)
        consent(household, cast.caseworker_a1, visitator_partner, ["identity"])
    client.force_login(cast.visitator)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("referrals:visitator_households"))
    assert len(response.context["rows"]) == min(count, 50)


# --- referrals sent to her partner ---


def _referral(cast, partner, shared=(), status=ReferralStatus.SENT, **fields):
    referral = referral_create(
        household=cast.case_a1.household,
        partner=partner,
        reason="Har brug for hjemmehjælp efter flytningen",
        by=cast.caseworker_a1,
        purpose=Purpose.REHOUSING,
        shared=list(shared),
        **fields,
    )
    if status != ReferralStatus.DRAFT:
        referral = transition(
            referral=referral, to_status=ReferralStatus.SENT, by=cast.caseworker_a1
        )
    return referral


def test_she_sees_the_referrals_sent_to_her_never_drafts(client, cast, visitator_partner):
    sent = _referral(cast, visitator_partner)
    draft = _referral(cast, visitator_partner, status=ReferralStatus.DRAFT)
    client.force_login(cast.visitator)
    listing = client.get(reverse("referrals:visitator_referrals"))
    assert [r.pk for r in listing.context["page"].object_list] == [sent.pk]
    detail = client.get(reverse("referrals:visitator_referral", args=[sent.pk]))
    assert "Har brug for hjemmehjælp" in detail.content.decode()
    assert client.get(reverse("referrals:visitator_referral", args=[draft.pk])).status_code == 404
    assert AccessLog.objects.filter(what="referral received", household_id=sent.household_id)


def test_a_referral_to_another_partner_is_invisible(client, cast, visitator_partner):
    org_a = cast.case_a1.project.estate.organisation
    other = _referral(cast, factories.make_partner(org_a, "Jobcenter Hvidovre"))
    client.force_login(cast.visitator)
    assert client.get(reverse("referrals:visitator_referral", args=[other.pk])).status_code == 404
    answer = reverse("referrals:visitator_referral_answer", args=[other.pk])
    assert (
        client.post(answer, {"to_status": "accepted", "expected_status": "sent"}).status_code == 404
    )


def test_the_referral_shows_shared_data_while_its_consent_holds(client, cast, visitator_partner):
    given = consent(
        cast.case_a1.household, cast.caseworker_a1, visitator_partner, ["identity", "social"]
    )
    referral = _referral(cast, visitator_partner, shared=["identity", "social"])
    client.force_login(cast.visitator)
    url = reverse("referrals:visitator_referral", args=[referral.pk])
    body = client.get(url).content.decode()
    assert "Agnete Markørsen" in body and "SOCIAL-NOTE-A1-7731" in body
    consent_withdraw(consent=given, by=cast.caseworker_a1)
    body = client.get(url).content.decode()
    assert "Agnete Markørsen" not in body and "SOCIAL-NOTE-A1-7731" not in body
    assert "ikke længere gyldigt" in body


def test_she_answers_a_referral_step_by_step(client, cast, visitator_partner):
    referral = _referral(cast, visitator_partner)
    client.force_login(cast.visitator)
    answer = reverse("referrals:visitator_referral_answer", args=[referral.pk])
    for expected, to_status in (
        ("sent", "accepted"),
        ("accepted", "in_progress"),
        ("in_progress", "done"),
    ):
        response = client.post(
            answer,
            {"to_status": to_status, "expected_status": expected, "note": f"Note {to_status}"},
        )
        assert response.status_code == 302
        referral.refresh_from_db()
        assert referral.status == to_status
    assert referral.outcome == "Note done"
    assert list(referral.events.values_list("to_status", "by")) == [
        ("draft", cast.caseworker_a1.pk),
        ("sent", cast.caseworker_a1.pk),
        ("accepted", cast.visitator.pk),
        ("in_progress", cast.visitator.pk),
        ("done", cast.visitator.pk),
    ]


def test_she_may_decline_but_not_withdraw_or_send(client, cast, visitator_partner):
    referral = _referral(cast, visitator_partner)
    client.force_login(cast.visitator)
    answer = reverse("referrals:visitator_referral_answer", args=[referral.pk])
    response = client.post(answer, {"to_status": "withdrawn", "expected_status": "sent"})
    assert response.status_code == 400
    referral.refresh_from_db()
    assert referral.status == "sent"
    client.post(answer, {"to_status": "declined", "expected_status": "sent"})
    referral.refresh_from_db()
    assert referral.status == "declined"
    page = client.get(reverse("referrals:visitator_referral", args=[referral.pk])).content.decode()
    assert "ikke mere at svare på" in page


def test_an_answer_on_a_stale_page_changes_nothing(client, cast, visitator_partner):
    referral = _referral(cast, visitator_partner)
    transition(referral=referral, to_status="withdrawn", by=cast.caseworker_a1)
    client.force_login(cast.visitator)
    answer = reverse("referrals:visitator_referral_answer", args=[referral.pk])
    response = client.post(
        answer, {"to_status": "accepted", "expected_status": "sent"}, follow=True
    )
    referral.refresh_from_db()
    assert referral.status == "withdrawn"
    assert "ændret" in response.content.decode()


def test_two_answers_at_once_the_second_is_a_conflict(client, cast, visitator_partner):
    referral = _referral(cast, visitator_partner)
    transition(referral=referral, to_status="accepted", by=cast.visitator)
    client.force_login(cast.visitator)
    answer = reverse("referrals:visitator_referral_answer", args=[referral.pk])
    # the second page was opened while the referral was "sent": in progress follows accepted,
    # so the form takes it, and the service sees the stale expected status
    response = client.post(
        answer, {"to_status": "in_progress", "expected_status": "sent"}, follow=True
    )
    referral.refresh_from_db()
    assert referral.status == "accepted"
    assert "Intet blev ændret" in response.content.decode()


@pytest.mark.parametrize("count", [3, 70])
def test_the_referral_list_query_count_is_flat(
    client, cast, visitator_partner, django_assert_max_num_queries, count
):
    project = cast.case_a1.project
    for household in factories.make_households(project.estate, count):
        referral = referral_create(
            household=household,
            partner=visitator_partner,
            reason="Hjælp",
            by=cast.caseworker_a1,
            purpose=Purpose.REFERRAL,
        )
        transition(referral=referral, to_status="sent", by=cast.caseworker_a1)
    client.force_login(cast.visitator)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("referrals:visitator_referrals"))
    assert len(response.context["page"].object_list) == min(count, 50)


def test_a_consent_to_every_municipal_visitator_covers_her_in_her_municipality_only(
    client, cast, visitator_partner
):
    consent(cast.case_a1.household, cast.caseworker_a1, categories=["identity"])
    consent(cast.case_b1.household, cast.caseworker_b1, categories=["identity"])
    client.force_login(cast.visitator)
    body = client.get(reverse("referrals:visitator_households")).content.decode()
    assert "Agnete Markørsen" in body
    assert "Carl Markørby" not in body
