"""The flag scans page, "run now", and a project's flag thresholds: over HTTP, for every role."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from outreach.models import DEFAULT_THRESHOLDS, FlagKind, FlagThresholds, ScanRun, ScanStatus
from tests.conftest import MARKERS
from tests.test_access import ROLES, assert_no_markers

MANAGERS = {"manager_a", "manager_b"}


def a_run(status=ScanStatus.SUCCEEDED, age=timedelta(hours=1), **fields) -> ScanRun:
    when = timezone.now() - age
    if status != ScanStatus.QUEUED:
        fields["started_at"] = when
    if status in (ScanStatus.SUCCEEDED, ScanStatus.FAILED, ScanStatus.SKIPPED):
        fields["finished_at"] = when + timedelta(seconds=2)
    return ScanRun.objects.create(status=status, queued_at=when, **fields)


# --- the scans page ---


def by_organisation(cast, a: dict, b: dict) -> dict:
    """A run's numbers for organisations A and B, as the scan records them (JSON keys)."""
    return {
        str(cast.case_a1.project.estate.organisation_id): a,
        str(cast.case_b1.project.estate.organisation_id): b,
    }


def test_it_lists_the_recent_scans_with_counts_per_kind_in_danish(
    client, cast, django_assert_max_num_queries
):
    a_run(
        households_scanned=1000,
        raised={FlagKind.MISSED_MEETINGS: 4, FlagKind.NO_REPLY: 1},
        resolved={FlagKind.NO_CONTACT: 2},
        by_organisation=by_organisation(
            cast,
            {
                "households": 812,
                "raised": {FlagKind.MISSED_MEETINGS: 3, FlagKind.NO_REPLY: 1},
                "resolved": {FlagKind.NO_CONTACT: 2},
            },
            {"households": 188, "raised": {FlagKind.MISSED_MEETINGS: 1}, "resolved": {}},
        ),
    )
    a_run(ScanStatus.FAILED, age=timedelta(hours=2), error="OperationalError: server closed")
    client.force_login(cast.manager_a)

    with django_assert_max_num_queries(6):
        response = client.get(reverse("outreach:scans"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Udeblevet fra informationsmøder: 3" in body
    assert "Intet svar inden fristen: 1" in body
    assert "Ingen kontakt, mens en frist nærmer sig: 2" in body
    assert "812" in body
    assert "Lykkedes" in body and "Mislykkedes" in body
    assert "OperationalError: server closed" in body
    assert "Kør scanning nu" in body
    assert "26 timer" not in body
    assert "every 2s" not in body  # nothing to wait for


def test_a_manager_sees_only_her_organisations_numbers(client, cast):
    a_run(
        households_scanned=1000,
        raised={FlagKind.MISSED_MEETINGS: 7},
        by_organisation=by_organisation(
            cast,
            {"households": 812, "raised": {FlagKind.MISSED_MEETINGS: 3}, "resolved": {}},
            {"households": 188, "raised": {FlagKind.MISSED_MEETINGS: 4}, "resolved": {}},
        ),
    )
    a_run(ScanStatus.SKIPPED, age=timedelta(hours=2), error="En anden scanning kørte samtidig.")
    client.force_login(cast.manager_b)

    body = client.get(reverse("outreach:scans")).content.decode()

    assert "Udeblevet fra informationsmøder: 4" in body and ">188<" in body
    assert "812" not in body and "1000" not in body and ": 3" not in body and ": 7" not in body
    assert "Sprunget over" in body and "En anden scanning kørte samtidig." in body
    assert "Tallene for husstande og flag er din boligorganisations." in body


@pytest.mark.parametrize(
    ("runs", "warning"),
    [
        ([], "Ingen scanning er lykkedes endnu."),
        ([("succeeded", 27)], "Ingen scanning er lykkedes de seneste 26 timer"),
        ([("succeeded", 30), ("failed", 1)], "Ingen scanning er lykkedes de seneste 26 timer"),
    ],
)
def test_it_warns_when_no_scan_succeeded_in_26_hours(client, cast, runs, warning):
    for status, hours in runs:
        a_run(status, age=timedelta(hours=hours))
    client.force_login(cast.manager_a)

    body = client.get(reverse("outreach:scans")).content.decode()

    assert warning in body
    assert "Tjek, at Celerys worker og beat kører." in body


def test_it_polls_only_while_a_scan_is_queued_or_running(client, cast):
    client.force_login(cast.manager_a)
    a_run()
    queued = a_run(ScanStatus.QUEUED, age=timedelta(seconds=3))

    response = client.get(reverse("outreach:scans"), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert 'hx-trigger="every 2s"' in body
    assert "<html" not in body  # the partial only
    assert 'id="scan-runs"' in body

    ScanRun.objects.filter(pk=queued.pk).update(queued_at=timezone.now() - timedelta(hours=1))
    body = client.get(reverse("outreach:scans")).content.decode()
    assert "every 2s" not in body
    assert "(ingen fremgang i lang tid)" in body  # a run no worker ever picked up


def test_run_now_queues_a_scan_and_says_so(client, cast):
    client.force_login(cast.manager_a)

    response = client.post(reverse("outreach:scan_run"), follow=True)

    run = ScanRun.objects.get()
    assert (run.triggered_by, run.status) == (cast.manager_a, ScanStatus.SUCCEEDED)  # eager
    assert response.redirect_chain == [(reverse("outreach:scans"), 302)]
    assert "Scanningen er sat i kø." in response.content.decode()


# --- who may use the scans page ---


@pytest.mark.parametrize("role", ROLES)
def test_only_managers_see_the_scans_and_run_them(client, cast, role):
    a_run(raised={FlagKind.NO_REPLY: 7}, error="")
    client.force_login(getattr(cast, role))

    listing = client.get(reverse("outreach:scans"))
    running = client.post(reverse("outreach:scan_run"))

    if role in MANAGERS:
        assert (listing.status_code, running.status_code) == (200, 302)
        assert ScanRun.objects.count() == 2
    else:
        assert (listing.status_code, running.status_code) == (403, 403)
        assert ScanRun.objects.count() == 1
        for response in (listing, running):
            body = response.content.decode()
            assert "Intet svar inden fristen" not in body
            assert_no_markers(body, MARKERS)


def test_the_scan_pages_send_anonymous_users_to_the_login(client, cast):
    for method, url in (
        ("get", reverse("outreach:scans")),
        ("post", reverse("outreach:scan_run")),
        ("get", reverse("outreach:thresholds", args=[cast.case_a1.project_id])),
    ):
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    assert not ScanRun.objects.exists()


@pytest.mark.parametrize(
    ("url_name", "method"),
    [("outreach:scans", "post"), ("outreach:scan_run", "get"), ("outreach:thresholds", "put")],
)
def test_the_scan_pages_refuse_the_wrong_method(client, cast, url_name, method):
    client.force_login(cast.manager_a)
    args = [cast.case_a1.project_id] if url_name == "outreach:thresholds" else []

    assert getattr(client, method)(reverse(url_name, args=args)).status_code == 405
    assert not ScanRun.objects.exists()


# --- a project's thresholds ---


def thresholds_url(cast) -> str:
    return reverse("outreach:thresholds", args=[cast.case_a1.project_id])


VALID = {
    "missed_meetings": "3",
    "no_contact_days": "21",
    "deadline_window_days": "60",
    "packing_window_days": "10",
    "follow_up_days": "7",
}


def test_a_manager_sees_the_thresholds_with_the_defaults(client, cast):
    client.force_login(cast.manager_a)

    response = client.get(thresholds_url(cast))

    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="no_contact_days" value="30"' in body
    assert "Dage uden kontakt" in body
    assert "Sæt flag på en husstand, der ikke er nået i så mange dage" in body


def test_a_manager_changes_the_thresholds(client, cast):
    client.force_login(cast.manager_a)

    response = client.post(thresholds_url(cast), VALID)

    assert response.status_code == 302
    assert response.url == reverse("cases:project", args=[cast.case_a1.project_id])
    saved = FlagThresholds.objects.filter(project=cast.case_a1.project).values(*VALID).get()
    assert saved == {name: int(value) for name, value in VALID.items()}
    body = client.get(thresholds_url(cast)).content.decode()
    assert 'name="missed_meetings" value="3"' in body


def test_the_thresholds_save_in_place_with_htmx(client, cast):
    client.force_login(cast.manager_a)

    response = client.post(thresholds_url(cast), VALID, headers={"HX-Request": "true"})

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert "Tærsklerne for flag er gemt." in body
    assert FlagThresholds.objects.get().follow_up_days == 7


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("0", "Skriv et tal, der er mindst 1."),
        ("-4", "Skriv et tal, der er mindst 1."),
        ("2.5", "Skriv et helt tal."),
        ("mange", "Skriv et helt tal."),
        ("", "Skriv et tal."),
        ("1000", "Skriv et tal, der højst er 365."),
    ],
)
def test_the_thresholds_must_be_positive_whole_numbers(client, cast, value, error):
    client.force_login(cast.manager_a)

    response = client.post(thresholds_url(cast), {**VALID, "no_contact_days": value})

    assert response.status_code == 400
    body = response.content.decode()
    assert error in body
    assert 'aria-invalid="true"' in body
    assert not FlagThresholds.objects.exists()


@pytest.mark.parametrize("name", list(DEFAULT_THRESHOLDS))
def test_the_database_refuses_a_threshold_below_one(cast, name):
    with pytest.raises(IntegrityError), transaction.atomic():
        FlagThresholds.objects.create(project=cast.case_a1.project, **{name: 0})


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("manager_a", 200),
        ("manager_b", 404),
        ("caseworker_a1", 403),
        ("rehousing_officer_a1", 403),
        ("caseworker_a2", 404),
        ("bridge_builder_a", 404),
        ("caseworker_b1", 404),
        ("visitator", 404),
        ("caretaker_a1", 404),
    ],
)
def test_only_a_manager_of_the_projects_organisation_changes_its_thresholds(
    client, cast, role, expected
):
    client.force_login(getattr(cast, role))

    shown = client.get(thresholds_url(cast))
    posted = client.post(thresholds_url(cast), VALID)

    assert shown.status_code == expected
    assert posted.status_code == (302 if expected == 200 else expected)
    assert FlagThresholds.objects.exists() == (expected == 200)
    if expected != 200:
        for response in (shown, posted):
            body = response.content.decode()
            assert cast.case_a1.project.name not in body
            assert_no_markers(body, MARKERS)


def test_the_project_page_offers_the_thresholds_to_its_managers_only(client, cast):
    url = reverse("cases:project", args=[cast.case_a1.project_id])

    client.force_login(cast.manager_a)
    assert thresholds_url(cast) in client.get(url).content.decode()
    client.force_login(cast.caseworker_a1)
    assert thresholds_url(cast) not in client.get(url).content.decode()


def test_run_now_does_not_queue_a_second_scan_while_one_waits(client, cast):
    a_run(ScanStatus.QUEUED, age=timedelta(seconds=5))
    client.force_login(cast.manager_a)

    response = client.post(reverse("outreach:scan_run"), follow=True)

    assert ScanRun.objects.count() == 1
    assert "En scanning er allerede i kø eller i gang." in response.content.decode()
