"""Matching: hard needs filter in SQL, wishes score, and the waterbed ranks full areas down.

Each test builds a small pool by hand where the right answer is known."""

from datetime import date

import pytest
import time_machine
from django.utils import translation

from cases.logistics.matching import (
    WATERBED_PENALTY,
    pool_flat_fits,
    ranked_pool_flats,
)
from cases.logistics.models import Offer, OfferStatus, PoolKind, RehousingKind
from cases.logistics.waterbed import waterbed_counts
from cases.models import Case, ProjectKind
from cases.stages import Stage
from households.models import VulnerabilityLevel
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = date(2026, 2, 1)


@pytest.fixture(autouse=True)
def _english():
    """The reasons and errors are checked in English, the language of the msgids."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(date(2026, 2, 1), tick=False):
        yield


def _estate(organisation, area: str, name: str | None = None):
    estate = factories.make_estate(organisation, name or f"Afdeling {area}")
    estate.area = area
    estate.save()
    return estate


def _pool(organisation, area: str, label: str, *, floor: int = 0, rooms: int = 3, **fields):
    flat = factories.make_flat(
        factories.make_stairwell(_estate(organisation, area), street=label),
        floor=floor,
        rooms=rooms,
    )
    return factories.make_pool_flat(organisation, flat, **fields)


@pytest.fixture
def renovation():
    """A household in a 3-room flat on the 2nd floor, away from 1 March to 1 June 2026."""
    organisation = factories.make_organisation("Boligselskabet Syd")
    home_estate = _estate(organisation, "Syd", "Hjemgården")
    project = factories.make_project(home_estate, kind=ProjectKind.RENOVATION_WITH_RETURN)
    stairwell = factories.make_stairwell(home_estate, street="Hjemvej")
    factories.make_schedule(
        project, stairwell, move_out_on=date(2026, 3, 1), return_on=date(2026, 6, 1)
    )
    household = factories.make_household(factories.make_flat(stairwell, floor=2, rooms=3))
    case = factories.make_case(project, household, stage=Stage.NOTIFIED)
    return organisation, case


def _addresses(matches) -> list[str]:
    return [match.pool_flat.flat.stairwell.street for match in matches]


def test_it_filters_hard_needs_in_sql_and_ranks_wishes(renovation, django_assert_max_num_queries):
    organisation, case = renovation
    factories.make_need(
        case,
        rooms=3,
        ground_floor_or_lift=True,
        pets=True,
        rent_limit=6000,
        wished_areas=["Nord"],
        school_area="Øst",
    )
    ok = {"pets_allowed": True}
    # Each of these fails exactly one hard need.
    _pool(organisation, "Nord", "Lillevej", rooms=2, **ok)
    _pool(organisation, "Nord", "Trappevej", floor=3, **ok)
    _pool(organisation, "Nord", "Hundeforbudsvej")
    _pool(organisation, "Nord", "Dyrevej", rent=7000, **ok)
    _pool(organisation, "Nord", "Senvej", available_from=date(2026, 3, 15), **ok)
    _pool(organisation, "Nord", "Kortvej", available_to=date(2026, 5, 1), **ok)
    _pool(organisation, "Nord", "Permanentvej", kind=PoolKind.PERMANENT, **ok)
    _pool(organisation, "Nord", "Lukketvej", is_active=False, **ok)
    _pool(factories.make_organisation(), "Nord", "Fremmedvej", **ok)
    taken = _pool(organisation, "Nord", "Optagetvej", **ok)
    other = factories.make_case(case.project, stage=Stage.NOTIFIED)
    _offer(other, taken, date(2026, 2, 15), date(2026, 7, 1))
    # These fit, with a known order.
    _pool(organisation, "Nord", "Avej", **ok)  # wished area: 30
    _pool(organisation, "Øst", "Bvej", rooms=4, floor=3, has_lift=True, **ok)  # 20 - 10 = 10
    _pool(organisation, "Syd", "Cvej", **ok)  # 0
    _pool(organisation, "Nord", "Dvej", rooms=5, rent=4000, **ok)  # 30 - 20 = 10, cheaper than B
    later = _pool(organisation, "Syd", "Evej", rent=5500, **ok)  # 0, dearer than C
    _offer(other, later, date(2026, 6, 15), date(2026, 9, 1), status=OfferStatus.PENDING)

    case = Case.objects.select_related("project__estate__organisation").get(pk=case.pk)
    with django_assert_max_num_queries(3):
        matches = ranked_pool_flats(case=case, today=TODAY)

    assert _addresses(matches) == ["Avej", "Dvej", "Bvej", "Cvej", "Evej"]
    assert [match.score for match in matches] == [30, 10, 10, 0, 0]
    first, second, third = matches[:3]
    assert first.reasons == ["wished area (+30)"] and not first.warnings
    assert second.warnings == ["2 rooms more than needed (-20)"]
    assert third.reasons == ["near school or daycare (+20)"]


def _offer(case, pool_flat, holds_from, holds_until, status=OfferStatus.ACCEPTED) -> Offer:
    return Offer.objects.create(
        case=case,
        pool_flat=pool_flat,
        kind=RehousingKind.TEMPORARY,
        holds_from=holds_from,
        holds_until=holds_until,
        sent_via="letter",
        sent_on=date(2026, 1, 10),
        reply_due_on=date(2026, 1, 17),
        status=status,
    )


def test_it_asks_for_as_many_rooms_as_now_without_recorded_needs(renovation):
    organisation, case = renovation
    _pool(organisation, "Nord", "Lillevej", rooms=2)
    _pool(organisation, "Nord", "Trappevej", floor=4)  # stairs are fine without needs
    _pool(organisation, "Nord", "Storvej", rooms=4)

    matches = ranked_pool_flats(case=case, today=TODAY)

    assert _addresses(matches) == ["Trappevej", "Storvej"]


def test_it_never_offers_the_households_own_flat(renovation):
    organisation, case = renovation
    factories.make_pool_flat(organisation, case.household.flat)

    assert ranked_pool_flats(case=case, today=TODAY) == []


def test_it_holds_a_temporary_flat_only_for_the_period(renovation):
    organisation, case = renovation
    pool_flat = _pool(organisation, "Nord", "Skiftevej", kind=PoolKind.TEMPORARY)
    other = factories.make_case(case.project, stage=Stage.NOTIFIED)
    offer = _offer(other, pool_flat, date(2025, 11, 1), date(2026, 3, 1))  # ends as hers begins

    assert pool_flat_fits(case=case, pool_flat=pool_flat, today=TODAY)

    Offer.objects.filter(pk=offer.pk).update(holds_until=date(2026, 3, 2))
    assert not pool_flat_fits(case=case, pool_flat=pool_flat, today=TODAY)

    Offer.objects.filter(pk=offer.pk).update(status=OfferStatus.REFUSED)
    assert pool_flat_fits(case=case, pool_flat=pool_flat, today=TODAY)


def test_a_permanent_home_must_have_no_end_date(renovation):
    organisation, case = renovation
    factories.make_need(case, kind=RehousingKind.PERMANENT)
    _pool(organisation, "Nord", "Udløbsvej", available_to=date(2030, 1, 1))
    _pool(organisation, "Nord", "Blivevej")

    assert _addresses(ranked_pool_flats(case=case, today=TODAY)) == ["Blivevej"]


def test_step_free_needs_a_step_free_flat_and_stairs_need_a_lift_or_ground_floor(renovation):
    organisation, case = renovation
    need = factories.make_need(case, step_free=True)
    _pool(organisation, "Nord", "Elevatorvej", floor=3, has_lift=True)
    _pool(organisation, "Nord", "Niveaufrivej", floor=3, has_lift=True, step_free=True)
    assert _addresses(ranked_pool_flats(case=case, today=TODAY)) == ["Niveaufrivej"]

    need.step_free, need.ground_floor_or_lift = False, True
    need.save()
    assert _addresses(ranked_pool_flats(case=case, today=TODAY)) == ["Elevatorvej", "Niveaufrivej"]


# --- The waterbed --------------------------------------------------------------------------


def _rehoused(project, destination_estate, level: str, *, stage=Stage.FOLLOW_UP) -> Case:
    flat = factories.make_flat(factories.make_stairwell(destination_estate))
    end_reason = "left_on_own" if stage == Stage.ENDED else ""
    case = factories.make_case(project, stage=stage, end_reason=end_reason, permanent_flat=flat)
    factories.assess(case.household, level)
    return case


@pytest.fixture
def transformation():
    """Two particularly vulnerable households already rehoused in Avedøre, one in Friheden."""
    organisation = factories.make_organisation("Boligselskabet Vest")
    organisation.waterbed_threshold = 2
    organisation.save()
    project = factories.make_project(
        _estate(organisation, "Nordparken", "Nordparken"), kind=ProjectKind.TRANSFORMATION
    )
    avedore = _estate(organisation, "Avedøre", "Søhusene")
    friheden = _estate(organisation, "Friheden", "Rosenhaven")
    for _n in range(2):
        _rehoused(project, avedore, VulnerabilityLevel.PARTICULARLY)
    _rehoused(project, avedore, VulnerabilityLevel.LESS)
    _rehoused(project, avedore, VulnerabilityLevel.PARTICULARLY, stage=Stage.ENDED)
    # Assessed particularly vulnerable once, not any more: the newest assessment counts.
    recovered = _rehoused(project, avedore, VulnerabilityLevel.PARTICULARLY)
    factories.assess(recovered.household, VulnerabilityLevel.NONE)
    _rehoused(project, friheden, VulnerabilityLevel.PARTICULARLY)
    case = factories.make_case(project, stage=Stage.NOTIFIED)
    return organisation, case, avedore, friheden


def test_it_counts_particularly_vulnerable_households_rehoused_per_area(transformation):
    organisation, *_rest = transformation

    assert waterbed_counts(organisation_id=organisation.pk) == {"Avedøre": 2, "Friheden": 1}


def test_a_full_area_is_ranked_down_and_marked_with_the_count(transformation):
    organisation, case, avedore, friheden = transformation
    factories.make_need(case, wished_areas=["Avedøre"])
    factories.make_pool_flat(organisation, factories.make_flat(factories.make_stairwell(avedore)))
    factories.make_pool_flat(organisation, factories.make_flat(factories.make_stairwell(friheden)))

    matches = ranked_pool_flats(case=case, today=TODAY)

    assert [m.pool_flat.flat.stairwell.estate.area for m in matches] == ["Friheden", "Avedøre"]
    assert [m.score for m in matches] == [0, 30 + WATERBED_PENALTY]
    assert matches[1].warnings == [
        "Waterbed: 2 particularly vulnerable households already rehoused in Avedøre (limit 2) (-50)"
    ]
    assert matches[0].warnings == []


def test_below_the_threshold_there_is_no_penalty(transformation):
    organisation, case, avedore, _friheden = transformation
    organisation.waterbed_threshold = 3
    organisation.save()
    factories.make_need(case, wished_areas=["Avedøre"])
    factories.make_pool_flat(organisation, factories.make_flat(factories.make_stairwell(avedore)))

    (match,) = ranked_pool_flats(case=case, today=TODAY)

    assert match.score == 30 and match.warnings == []


def test_a_temporary_stay_is_not_counted_against_the_waterbed(transformation):
    organisation, case, avedore, _friheden = transformation
    factories.make_need(case, kind=RehousingKind.TEMPORARY, wished_areas=["Avedøre"])
    factories.make_pool_flat(organisation, factories.make_flat(factories.make_stairwell(avedore)))

    (match,) = ranked_pool_flats(case=case, today=TODAY)

    assert match.score == 30 and match.warnings == []


def test_a_flat_the_household_refused_is_not_suggested_again(renovation):
    organisation, case = renovation
    refused = _pool(organisation, "Nord", "Neivej")
    _pool(organisation, "Nord", "Jaavej", rent=6000)
    offer = _offer(case, refused, date(2026, 3, 1), date(2026, 6, 1), status=OfferStatus.REFUSED)
    other = factories.make_case(case.project, stage=Stage.NOTIFIED)

    assert _addresses(ranked_pool_flats(case=case, today=TODAY)) == ["Jaavej"]
    assert _addresses(ranked_pool_flats(case=other, today=TODAY)) == ["Neivej", "Jaavej"]
    assert offer.status == OfferStatus.REFUSED
