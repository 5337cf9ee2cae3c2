"""The retention: households whose cases closed longer ago than RETENTION_CLOSED_CASE_DAYS are
anonymised (names, contact data, free text and sensitive fields gone; statistics kept)."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from cases.models import Case, StageChange
from cases.stages import Stage
from households.models import Household, Resident
from outreach.models import Contact
from privacy.services import retention_anonymise
from privacy.tasks import retention_run
from referrals.models import Consent
from tests import factories
from tests.conftest import wait_for
from tests.privacy.conftest import FIRST_MARKERS, rows_containing
from tests.referrals.test_visitator_leaks import A, all_markers

CLOSED = timezone.datetime(2026, 1, 10, 12, tzinfo=timezone.get_current_timezone())
THREE_YEARS = timedelta(days=3 * 365)
KEPT = {f"{A}-MEETING-TOPIC", f"{A}-CAFE-PLACE", f"{A}-COMMUNITY-TOPIC", f"{A}midlertidigvej"}


def close(case: Case, at=CLOSED) -> None:
    Case.objects.filter(pk=case.pk).update(stage=Stage.CLOSED, closed_at=at)


def test_it_anonymises_a_household_after_the_retention_period(
    cast, subject, django_capture_on_commit_callbacks
):
    close(cast.case_a1)
    storage = Consent._meta.get_field("evidence").storage
    contacts = Contact.objects.filter(household_id=subject.household_id).count()
    changes = list(
        StageChange.objects.filter(case=cast.case_a1).values_list("changed_at", "to_stage")
    )
    with time_machine.travel(CLOSED + THREE_YEARS - timedelta(days=1)):
        assert retention_anonymise() == 0
    assert rows_containing(FIRST_MARKERS)
    with (
        time_machine.travel(CLOSED + THREE_YEARS + timedelta(days=1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert retention_anonymise() == 1
    household = Household.objects.get(pk=subject.household_id)
    assert household.anonymised_at is not None and household.social_note == ""
    assert rows_containing(all_markers(A) - KEPT) == {}
    assert not storage.exists(subject.evidence_name)
    assert not Consent.objects.filter(household=household).exists()
    # the statistics stay: residents, contacts, stage history, flat, vulnerability level
    assert Resident.objects.filter(household=household).count() == 2
    assert household.display_name() == "(anonymiseret) (+1)"
    assert Contact.objects.filter(household=household).count() == contacts
    kept = StageChange.objects.filter(case=cast.case_a1).values_list("changed_at", "to_stage")
    assert list(kept) == changes
    assert household.flat_id == cast.case_a1.household.flat_id
    assert household.assessments.filter(level="particularly").exists()
    # the other households are untouched
    assert Household.objects.get(pk=cast.case_a2.household_id).social_note
    # a second run changes nothing
    with time_machine.travel(CLOSED + THREE_YEARS + timedelta(days=2)):
        assert retention_anonymise() == 0


def test_it_keeps_a_household_with_an_open_or_recent_case(cast, settings):
    settings.RETENTION_CLOSED_CASE_DAYS = 30
    close(cast.case_a1)
    household = cast.case_a1.household
    second = factories.make_project(cast.case_a1.project.estate)
    factories.make_case(second, household)  # open
    close(cast.case_a2, at=CLOSED + timedelta(days=20))
    with time_machine.travel(CLOSED + timedelta(days=40)):
        assert retention_anonymise() == 0
    with time_machine.travel(CLOSED + timedelta(days=51)):
        assert retention_anonymise() == 1  # case_a2's household, 31 days after it closed
    assert Household.objects.get(pk=cast.case_a2.household_id).anonymised_at
    assert Household.objects.get(pk=household.pk).anonymised_at is None


@pytest.mark.parametrize("households", [1, 6])
def test_it_runs_a_fixed_number_of_queries(cast, households, django_assert_max_num_queries):
    estate = cast.case_a1.project.estate
    project = factories.make_project(estate)
    for number in range(households):
        flat = factories.make_flat(factories.make_stairwell(estate, number=100 + number))
        case = factories.make_case(project, factories.make_household(flat, f"Navn Nr{number}"))
        close(case)
    with (
        time_machine.travel(CLOSED + THREE_YEARS + timedelta(days=1)),
        django_assert_max_num_queries(40),
    ):
        assert retention_anonymise() == households


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_it_runs_in_a_real_worker(cast, celery_worker_process):
    # the worker reads its settings from the environment: the default of three years
    close(cast.case_a1, at=timezone.now() - THREE_YEARS - timedelta(days=2))
    retention_run.delay()
    wait_for(
        lambda: Household.objects.get(pk=cast.case_a1.household_id).anonymised_at,
        what="the worker to anonymise the household",
    )
    assert Resident.objects.get(household_id=cast.case_a1.household_id).first_name == ""
