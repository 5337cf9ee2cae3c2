"""The stairwell schedule from the app: the table, the file, the preview of what a change
touches (known answers), applying it with history, and the flags right once it commits."""

from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from cases.logistics.services import offer_make
from cases.models import Project, ProjectKind, ScheduleChange, StairwellSchedule
from cases.planning.schedule_file import read_schedule_file
from cases.planning.services import schedule_apply, schedule_preview
from outreach.models import Flag, FlagKind
from tests import factories

TODAY = date(2026, 2, 2)


@pytest.fixture(autouse=True)
def _frozen_and_english(client):
    client.cookies["django_language"] = "en"
    with time_machine.travel(TODAY, tick=False), translation.override("en"):
        yield


def _project(cast) -> tuple[Project, dict]:
    """Kløvermarken 3A with three households (one with her own move-out), 3B with one; a
    pending temporary offer for the first household of 3A."""
    estate = cast.case_a1.project.estate
    project = factories.make_project(estate, kind=ProjectKind.RENOVATION_WITH_RETURN)
    a = factories.make_stairwell(estate, street="Kløvermarken", number=3)
    a.letter = "A"
    a.save()
    b = factories.make_stairwell(estate, street="Kløvermarken", number=4)
    project.stairwells.set([a, b])
    for stairwell in (a, b):
        factories.make_schedule(
            project, stairwell, move_out_on=date(2026, 6, 1), return_on=date(2026, 10, 1)
        )
    households = {
        name: factories.make_household(factories.make_flat(stairwell, floor=n), name)
        for n, (name, stairwell) in enumerate(
            [("Anna Ahl", a), ("Bent Bo", a), ("Carla Cox", a), ("Dorte Dahl", b)]
        )
    }
    cases = {
        name: factories.make_case(project, household) for name, household in households.items()
    }
    cases["Carla Cox"].move_out_on = date(2026, 8, 1)
    cases["Carla Cox"].save()
    pool_flat = factories.make_pool_flat(estate.organisation)
    offer_make(case=cases["Anna Ahl"], pool_flat=pool_flat, by=None)
    return project, {"a": a, "b": b, **cases}


@pytest.mark.django_db
def test_the_preview_names_the_households_offers_flags_and_letters(cast):
    project, things = _project(cast)
    a = things["a"]

    preview = schedule_preview(project=project, proposed={a.pk: {"move_out_on": date(2026, 2, 12)}})

    assert [(c.stairwell, c.field, c.old, c.new) for c in preview.changes] == [
        (a, "move_out_on", date(2026, 6, 1), date(2026, 2, 12))
    ]
    names = {touched.case.household.display_name() for touched in preview.cases}
    assert names == {"Anna Ahl", "Bent Bo"}  # Carla Cox has her own move-out date
    assert [clash.offer.case for clash in preview.offers] == [things["Anna Ahl"]]
    appear, goes = preview.effects["flags"]
    packing = str(FlagKind.PACKING_NOT_STARTED.label)
    assert appear == {
        (things["Anna Ahl"].household_id, packing),
        (things["Bent Bo"].household_id, packing),
    }
    assert goes == set()
    assert [letter["household_id"] for letter in preview.letters] == [
        things["Anna Ahl"].household_id
    ]
    # Nothing is saved by a preview.
    assert StairwellSchedule.objects.get(project=project, stairwell=a).move_out_on == date(
        2026, 6, 1
    )
    assert not Flag.objects.filter(kind=FlagKind.PACKING_NOT_STARTED).exists()


def _packing_flagged() -> set[int]:
    return set(
        Flag.objects.filter(
            kind=FlagKind.PACKING_NOT_STARTED, resolved_at__isnull=True
        ).values_list("household_id", flat=True)
    )


@pytest.mark.django_db
def test_applying_writes_history_and_the_flags_are_right_once_it_commits(
    cast, django_capture_on_commit_callbacks
):
    project, things = _project(cast)
    a = things["a"]

    with django_capture_on_commit_callbacks(execute=True):
        schedule_apply(
            project=project,
            proposed={a.pk: {"move_out_on": date(2026, 2, 12)}},
            by=cast.manager_a,
            reason="Asbest fundet",
        )

    change = ScheduleChange.objects.get()
    assert (change.stairwell, change.field, change.old_date, change.new_date) == (
        a,
        "move_out_on",
        date(2026, 6, 1),
        date(2026, 2, 12),
    )
    assert (change.changed_by, change.reason) == (cast.manager_a, "Asbest fundet")
    # No scan run: the scan's rules ran for the touched households when the change committed.
    assert _packing_flagged() == {things["Anna Ahl"].household_id, things["Bent Bo"].household_id}

    # Moved back: the flags go, again without a scan run.
    with django_capture_on_commit_callbacks(execute=True):
        schedule_apply(
            project=project,
            proposed={a.pk: {"move_out_on": date(2026, 6, 1)}},
            by=cast.manager_a,
            reason="Asbest fjernet",
        )
    assert _packing_flagged() == set()
    assert ScheduleChange.objects.count() == 2


@pytest.mark.django_db
def test_the_flags_follow_a_schedule_change_after_its_transaction_not_inside_it(
    cast, django_capture_on_commit_callbacks
):
    """One signal, one timing (household_facts_changed): nothing is flagged while the change's
    transaction is open; one evaluation for the touched households runs on commit."""
    project, things = _project(cast)
    a = things["a"]

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        schedule_apply(
            project=project,
            proposed={a.pk: {"move_out_on": date(2026, 2, 12)}},
            by=cast.manager_a,
            reason="Asbest fundet",
        )
        assert _packing_flagged() == set()

    assert len(callbacks) == 1
    callbacks[0]()
    assert _packing_flagged() == {things["Anna Ahl"].household_id, things["Bent Bo"].household_id}


@pytest.mark.django_db
def test_changing_a_set_date_needs_a_reason_and_the_same_dates_change_nothing(cast):
    project, things = _project(cast)
    a = things["a"]
    with pytest.raises(Exception, match="Write why"):
        schedule_apply(project=project, proposed={a.pk: {"move_out_on": date(2026, 5, 1)}}, by=None)
    # Filling an empty date needs none; the same dates again write nothing.
    proposed = {a.pk: {"notice_on": date(2026, 3, 1)}}
    assert len(schedule_apply(project=project, proposed=proposed, by=None)) == 1
    assert schedule_apply(project=project, proposed=proposed, by=None) == []
    assert ScheduleChange.objects.count() == 1


@pytest.mark.django_db
def test_the_table_refuses_dates_out_of_order_and_saves_nothing(client, cast):
    project, things = _project(cast)
    a = things["a"]
    client.force_login(cast.manager_a)

    response = client.post(
        reverse("cases:schedule", args=[project.pk]),
        {f"{a.pk}-packing_on": "2026-07-01", f"{a.pk}-move_out_on": "2026-06-01"},
    )

    assert response.status_code == 400
    assert "The move-out must not be before packing." in response.content.decode()
    assert StairwellSchedule.objects.get(project=project, stairwell=a).packing_on is None


@pytest.mark.django_db
def test_the_table_previews_then_applies(client, cast):
    project, things = _project(cast)
    a, b = things["a"], things["b"]
    client.force_login(cast.manager_a)
    url = reverse("cases:schedule", args=[project.pk])
    data = {
        f"{a.pk}-move_out_on": "2026-02-12",
        f"{a.pk}-return_on": "2026-10-01",
        f"{b.pk}-move_out_on": "2026-06-01",
        f"{b.pk}-return_on": "2026-10-01",
    }

    preview = client.post(url, data)
    body = preview.content.decode()
    assert preview.status_code == 200
    assert "Anna Ahl" in body and "Bent Bo" in body and "Dorte Dahl" not in body
    assert not ScheduleChange.objects.exists()

    applied = client.post(url, {**data, "action": "apply", "reason": "Asbest"})
    assert applied.status_code == 302
    assert StairwellSchedule.objects.get(project=project, stairwell=a).move_out_on == date(
        2026, 2, 12
    )
    page = client.get(reverse("cases:project", args=[project.pk])).content.decode()
    assert "Asbest" in page


@pytest.mark.django_db
def test_a_manager_of_another_organisation_gets_404_and_a_caseworker_403(client, cast):
    project, _things = _project(cast)
    url = reverse("cases:schedule", args=[project.pk])
    client.force_login(cast.manager_b)
    assert client.get(url).status_code == 404
    client.force_login(cast.caseworker_a1)
    assert client.get(url).status_code == 403


CSV = (
    "opgang;varsel;nedpakning;udflytning;hjemflytning\n"
    "Kløvermarken 3A;01-03-2026;01-04-2026;01-05-2026;01-10-2026\n"
    "Kløvermarken 4;;;01-06-2026;01-10-2026\n"
)


@pytest.mark.django_db
def test_the_file_goes_through_the_same_preview_and_twice_changes_nothing(client, cast):
    project, things = _project(cast)
    client.force_login(cast.manager_a)
    url = reverse("cases:schedule_upload", args=[project.pk])

    preview = client.post(url, {"file": SimpleUploadedFile("plan.csv", CSV.encode())})
    assert preview.status_code == 200
    assert "Check the schedule change" in preview.content.decode()

    data = {
        f"{things['a'].pk}-notice_on": "2026-03-01",
        f"{things['a'].pk}-packing_on": "2026-04-01",
        f"{things['a'].pk}-move_out_on": "2026-05-01",
        f"{things['a'].pk}-return_on": "2026-10-01",
        f"{things['b'].pk}-move_out_on": "2026-06-01",
        f"{things['b'].pk}-return_on": "2026-10-01",
        "reason": "Ny plan",
        "action": "apply",
    }
    assert client.post(reverse("cases:schedule", args=[project.pk]), data).status_code == 302
    assert ScheduleChange.objects.count() == 3

    again = client.post(url, {"file": SimpleUploadedFile("plan.csv", CSV.encode())})
    assert again.status_code == 200
    assert "Nothing changes" in again.content.decode()
    assert ScheduleChange.objects.count() == 3


@pytest.mark.django_db
def test_file_errors_are_given_by_row_and_column(cast):
    project, _things = _project(cast)
    other = factories.make_stairwell(cast.case_a2.project.estate, street="Andenvej", number=1)
    content = (
        "opgang;varsel;nedpakning;udflytning\n"
        "Kløvermarken 3A;01-03-2026;01-02-2026;01-05-2026\n"
        f"{other};;;01-06-2026\n"
        "Kløvermarken 4;;;31-02-2026\n"
        "Kløvermarken 3A;;;01-05-2026\n"
    ).encode()

    read = read_schedule_file(project=project, content=content, file_kind="csv")

    assert [(e.row, e.column) for e in read.errors] == [
        (2, "Packing"),
        (3, "Stairwell"),
        (4, "Move-out"),
        (5, "Stairwell"),
    ]
    assert "not a stairwell of the estate" in read.errors[1].message
    assert "not a date" in read.errors[2].message
    assert "row 2" in read.errors[3].message
