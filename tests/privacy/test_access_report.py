"""The right of access (art. 15): one zip with a PDF and a JSON file of everything about a
resident, found by introspection; logged; only for those who may see her household's social data."""

import io
import json
import zipfile

import pytest
from django.urls import reverse
from pypdf import PdfReader

from households.models import AccessAction, AccessLog, Household
from outreach.models import Tip, TipSource
from privacy.classification import classified_models, model_fields
from tests.conftest import MARKERS
from tests.referrals.test_visitator_leaks import A


def access_url(subject, pk=None):
    return reverse("privacy:resident_access", args=[subject.household_id, pk or subject.first_id])


def reaches_household(model, depth=4, seen=()) -> bool:
    """Independent of the code under test: a chain of relations from `model` to Household."""
    if model is Household:
        return True
    if depth == 0 or model in seen:
        return False
    return any(
        field.is_relation and reaches_household(field.related_model, depth - 1, (*seen, model))
        for field in model_fields(model)
        if field.related_model is not None
    )


def download(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/zip"
    content = b"".join(response.streaming_content) if response.streaming else response.content
    archive = zipfile.ZipFile(io.BytesIO(content))
    names = archive.namelist()
    pdf = next(name for name in names if name.endswith(".pdf"))
    data = json.loads(archive.read(next(name for name in names if name.endswith(".json"))))
    reader = PdfReader(io.BytesIO(archive.read(pdf)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return reader, text, data


def test_it_gives_everything_about_the_resident_as_pdf_and_json(client, cast, subject):
    client.force_login(cast.caseworker_a1)
    reader, text, data = download(client, access_url(subject))
    assert len(reader.pages) >= 2 and "Side 1 af" in text
    for marker in ("Mkafornavn", f"{A}-SOCIAL-NOTE", f"{A}-CONTACT-NOTE", f"{A}-HOME-OBS"):
        assert marker in text, marker
        assert marker in json.dumps(data, ensure_ascii=False), marker
    assert "Kanyler" in text  # choices in words
    # every model with a path to the household has a section, except guardian's permission rows
    linked = {
        model._meta.label
        for model in classified_models()
        if reaches_household(model) and not model.__name__.endswith("ObjectPermission")
    }
    assert linked <= set(data["data"]), linked - set(data["data"])
    assert "households.AccessLog" in data["data"] and "outreach.Tip" in data["data"]
    # not the other resident's own row, not who passed on a tip or who looked
    residents = data["data"]["households.Resident"]
    assert [row["first_name"] for row in residents] == ["Mkafornavn"]
    assert all("submitted_by" not in row for row in data["data"]["outreach.Tip"])
    assert all("username" not in row for row in data["data"]["households.AccessLog"])
    entry = AccessLog.objects.get(action=AccessAction.EXPORT, resident_id=subject.first_id)
    assert entry.household_id == subject.household_id and entry.username == "caseworker_a1"


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("manager_a", 200),
        ("rehousing_officer_a1", 403),
        ("caseworker_a2", 404),
        ("manager_b", 404),
        ("visitator", 404),
        ("caretaker_a1", 404),
    ],
)
def test_only_who_sees_the_households_social_data_gets_it(client, cast, subject, role, expected):
    client.force_login(getattr(cast, role))
    response = client.get(access_url(subject))
    assert response.status_code == expected
    if expected != 200:
        assert b"Mkafornavn" not in response.content
        assert not AccessLog.objects.filter(action=AccessAction.EXPORT).exists()


def test_it_answers_404_for_a_resident_of_another_household_and_405_for_post(client, cast, subject):
    client.force_login(cast.manager_a)
    other = cast.case_a2.household.residents.first()
    assert client.get(access_url(subject, other.pk)).status_code == 404
    assert client.post(access_url(subject)).status_code == 405
    client.logout()
    assert client.get(access_url(subject)).status_code == 302
    assert MARKERS  # the cast's markers of the other households are checked by the leak tests


def test_it_takes_a_fixed_number_of_queries(client, cast, subject, django_assert_max_num_queries):
    client.force_login(cast.caseworker_a1)
    with django_assert_max_num_queries(86):
        download(client, access_url(subject))


def test_the_zip_leaves_out_who_passed_on_a_tip_and_who_else_was_met(client, cast, subject):
    """The same rule as the household's own copy of the case summary (IDENTIFIES_OTHERS)."""
    household = Household.objects.get(pk=subject.household_id)
    Tip.objects.create(
        flat=household.flat,
        household=household,
        source=TipSource.FAMILY,
        text="Hun handler tirsdag formiddag",
        submitted_by=cast.caretaker_a1,
    )
    client.force_login(cast.caseworker_a1)
    _reader, text, data = download(client, access_url(subject))
    tips = data["data"]["outreach.Tip"]
    assert "Hun handler tirsdag formiddag" in [row["text"] for row in tips]
    assert all("source" not in row and "submitted_by" not in row for row in tips)
    assert "Hun handler tirsdag formiddag" in text
    assert "Familie eller ven" not in text and "caretaker_a1" not in text
    contacts = data["data"]["outreach.Contact"]
    assert contacts and all("met" not in row for row in contacts)
    assert "og datteren" not in text and "og datteren" not in json.dumps(data)


def test_the_pdf_says_what_was_seen_in_danish(client, cast, subject):
    AccessLog.objects.create(
        user=cast.caseworker_a1,
        username="caseworker_a1",
        action=AccessAction.VIEW,
        household_id=subject.household_id,
        what="case page",
    )
    client.force_login(cast.caseworker_a1)
    _reader, text, data = download(client, access_url(subject))
    assert "sagens side" in text and "case page" not in text
    assert "case page" in [row["what"] for row in data["data"]["households.AccessLog"]]


def test_a_large_export_is_made_by_the_worker_and_served_only_to_who_ordered_it(
    client, cast, subject, settings, django_capture_on_commit_callbacks
):
    """Above RESIDENT_ACCESS_ASYNC_ROWS the request only orders it (no PDF rendered in the
    request); the reports' job page follows it, and the download writes the same access-log
    row as the direct one."""
    from cases.reports.models import ReportJob, ReportStatus

    settings.RESIDENT_ACCESS_ASYNC_ROWS = 0
    client.force_login(cast.caseworker_a1)
    with django_capture_on_commit_callbacks(execute=True):  # the worker's task, run inline
        response = client.get(access_url(subject))
    job = ReportJob.objects.get(kind="resident_access")
    assert response.status_code == 302 and response.url == reverse("reports:job", args=[job.pk])
    assert (job.kind, job.target_id, job.status) == (
        "resident_access",
        subject.first_id,
        ReportStatus.DONE,
    )
    assert not AccessLog.objects.filter(action=AccessAction.EXPORT).exists()  # not downloaded
    try:
        page = client.get(reverse("reports:job", args=[job.pk])).content.decode()
        assert "Indsigt" in page or "indsigt" in page
        # the page's words follow the job's kind (its maker's JobWords), not "the report"
        assert "Din indsigtskopi (zip) er klar." in page and "Hent zip-filen" in page
        assert "Rapporten" not in page and "Hent PDF-filen" not in page
        _reader, text, data = download(client, reverse("reports:job_download", args=[job.pk]))
        assert "Mkafornavn" in text and data["resident_id"] == subject.first_id
        entry = AccessLog.objects.get(action=AccessAction.EXPORT)
        assert (entry.household_id, entry.resident_id) == (subject.household_id, subject.first_id)
        assert entry.username == "caseworker_a1"
        assert entry.what == "right of access (PDF and JSON)"
        ReportJob.objects.filter(pk=job.pk).update(status=ReportStatus.FAILED)  # "Prøv igen"
        failed = client.get(reverse("reports:job", args=[job.pk])).content.decode()
        assert "Indsigtskopien kunne ikke laves." in failed and "Rapporten" not in failed
        with django_capture_on_commit_callbacks(execute=False):
            retried = client.post(reverse("reports:job_retry", args=[job.pk]))
        again = ReportJob.objects.filter(kind="resident_access").exclude(pk=job.pk).get()
        assert retried.url == reverse("reports:job", args=[again.pk])
        assert (again.target_id, again.status) == (subject.first_id, ReportStatus.QUEUED)
        for other in ("caseworker_a2", "manager_b"):  # not hers: 404 on the page and the file
            client.force_login(getattr(cast, other))
            assert client.get(reverse("reports:job", args=[job.pk])).status_code == 404
            url = reverse("reports:job_download", args=[job.pk])
            assert client.get(url).status_code == 404
        assert AccessLog.objects.filter(action=AccessAction.EXPORT).count() == 1
    finally:
        job.file.delete(save=False)


def test_a_second_click_while_the_file_is_made_opens_the_same_job(
    client, cast, subject, settings, django_capture_on_commit_callbacks
):
    """A reload or a second click orders nothing more while her job waits or runs; another
    user's click is her own job; once it is done, a click orders a fresh one."""
    from cases.reports.models import ReportJob, ReportStatus

    settings.RESIDENT_ACCESS_ASYNC_ROWS = 0
    client.force_login(cast.caseworker_a1)
    with django_capture_on_commit_callbacks(execute=False):  # the worker has not taken it yet
        first = client.get(access_url(subject))
        second = client.get(access_url(subject))
    job = ReportJob.objects.get(kind="resident_access")
    assert first.url == second.url == reverse("reports:job", args=[job.pk])
    client.force_login(cast.manager_a)
    with django_capture_on_commit_callbacks(execute=False):
        hers = client.get(access_url(subject))
    other = ReportJob.objects.get(kind="resident_access", ordered_by=cast.manager_a)
    assert hers.url == reverse("reports:job", args=[other.pk]) and other.pk != job.pk
    ReportJob.objects.filter(pk=job.pk).update(status=ReportStatus.DONE)
    client.force_login(cast.caseworker_a1)
    with django_capture_on_commit_callbacks(execute=False):
        client.get(access_url(subject))
    assert (
        ReportJob.objects.filter(kind="resident_access", ordered_by=cast.caseworker_a1).count() == 2
    )


def test_a_small_export_stays_in_the_request(client, cast, subject, settings):
    from cases.reports.models import ReportJob

    settings.RESIDENT_ACCESS_ASYNC_ROWS = 10_000
    client.force_login(cast.caseworker_a1)
    download(client, access_url(subject))
    assert not ReportJob.objects.filter(kind="resident_access").exists()
