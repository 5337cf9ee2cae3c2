"""Rents during a rehousing (cases/economy/rents.py), with numbers worked out by hand.

The household's own flat: 5,000 kr. net rent + 600 kr. a-conto = 5,600 kr. a month.
The temporary flat costs the project 7,440 kr. a month (its `project_rent`).
"""

from datetime import date
from decimal import Decimal

import pytest

from cases.economy.rents import (
    StayMonth,
    amount_for,
    case_stays,
    pool_flat_monthly_cost,
    project_empty_days,
    project_rent_difference,
    project_stays,
    quarter_bounds,
    quarter_statement,
    stay_months,
)
from cases.economy.selectors import rent_lines
from cases.logistics.models import Move, MoveKind, MoveStatus, Offer, OfferStatus, PoolFlat
from cases.models import Case, Project
from tests import factories

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def project() -> Project:
    organisation = factories.make_organisation("Boligselskabet Leje")
    estate = factories.make_estate(organisation, "Lejeparken")
    return factories.make_project(estate)


@pytest.fixture
def pool_flat(project) -> PoolFlat:
    flat = factories.make_flat(
        factories.make_stairwell(project.estate, street="Midlertidigvej", number=4),
        net_rent=D("6000.00"),
        aconto=D("700.00"),
    )
    return factories.make_pool_flat(
        project.estate.organisation, flat, kind="temporary", project_rent=D("7440.00")
    )


def _case(project: Project, street: str, *, net_rent="5000.00", aconto="600.00") -> Case:
    flat = factories.make_flat(
        factories.make_stairwell(project.estate, street=street, number=1),
        net_rent=D(net_rent) if net_rent is not None else None,
        aconto=D(aconto) if aconto is not None else None,
    )
    return factories.make_case(project, factories.make_household(flat))


def _stay(case: Case, pool_flat: PoolFlat, starts_on: date, ends_on: date | None, **kw) -> Offer:
    return Offer.objects.create(
        case=case,
        pool_flat=pool_flat,
        kind="temporary",
        holds_from=starts_on,
        holds_until=ends_on,
        sent_via="letter",
        sent_on=date(2027, 1, 5),
        reply_due_on=date(2027, 1, 19),
        status=kw.get("status", OfferStatus.ACCEPTED),
    )


def test_it_counts_a_stay_from_15_march_to_10_may_month_by_month(project, pool_flat):
    case = _case(project, "Egevej")
    _stay(case, pool_flat, date(2027, 3, 15), date(2027, 5, 10))

    [stay] = case_stays(case=case)
    months = stay_months(stay, until=date(2027, 12, 31))

    # March: days 15-31 = 17 of 31; April: all 30; May: 1-9 = 9 of 31 (home on the 10th).
    assert months == [
        StayMonth(date(2027, 3, 1), 17, D("3070.97"), D("4080.00"), D("1009.03")),
        StayMonth(date(2027, 4, 1), 30, D("5600.00"), D("7440.00"), D("1840.00")),
        StayMonth(date(2027, 5, 1), 9, D("1625.81"), D("2160.00"), D("534.19")),
    ]
    assert project_rent_difference(project, until=date(2027, 12, 31)) == D("3383.22")


def test_the_moves_decide_the_stay_over_the_offer(project, pool_flat):
    case = _case(project, "Egevej")
    offer = _stay(case, pool_flat, date(2027, 3, 1), date(2027, 6, 1))
    home = offer.case.household.flat
    temporary = pool_flat.flat
    Move.objects.create(
        case=case, kind=MoveKind.TO_TEMPORARY, from_flat=home, to_flat=temporary,
        moves_on=date(2027, 3, 15), status=MoveStatus.DONE,
    )  # fmt: skip
    Move.objects.create(
        case=case, kind=MoveKind.RETURN, from_flat=temporary, to_flat=home,
        moves_on=date(2027, 5, 10),
    )  # fmt: skip
    Move.objects.create(
        case=case, kind=MoveKind.TO_PERMANENT, from_flat=temporary, to_flat=home,
        moves_on=date(2027, 4, 1), status=MoveStatus.CANCELLED,
    )  # fmt: skip

    [stay] = case_stays(case=case)

    assert (stay.starts_on, stay.ends_on) == (date(2027, 3, 15), date(2027, 5, 10))


def test_a_stay_without_an_end_counts_until_today(project, pool_flat):
    case = _case(project, "Egevej")
    _stay(case, pool_flat, date(2027, 4, 1), None)

    [stay] = case_stays(case=case)
    months = stay_months(stay, until=date(2027, 4, 16))

    assert months == [StayMonth(date(2027, 4, 1), 15, D("2800.00"), D("3720.00"), D("920.00"))]


def test_the_flat_costs_its_own_rent_without_a_project_rent(project, pool_flat):
    pool_flat.project_rent = None
    assert pool_flat_monthly_cost(pool_flat) == D("6700.00")
    pool_flat.flat.net_rent = None
    assert pool_flat_monthly_cost(pool_flat) == D("5000")  # the pool's listed rent


def test_an_unknown_own_rent_counts_as_nothing_and_is_told(project, pool_flat):
    case = _case(project, "Egevej", net_rent=None, aconto=None)
    _stay(case, pool_flat, date(2027, 4, 1), date(2027, 5, 1))

    [stay] = case_stays(case=case)

    assert not stay.rent_known
    assert stay_months(stay)[0].difference == D("7440.00")


def test_refused_and_permanent_offers_are_no_stay(project, pool_flat):
    case = _case(project, "Egevej")
    _stay(case, pool_flat, date(2027, 4, 1), date(2027, 5, 1), status=OfferStatus.REFUSED)

    assert project_stays(project=project) == []
    assert project_rent_difference(project) == D("0.00")


def test_it_counts_the_empty_days_between_two_households(project, pool_flat):
    first = _case(project, "Egevej")
    second = _case(project, "Bøgevej")
    _stay(first, pool_flat, date(2027, 3, 15), date(2027, 5, 10))
    _stay(second, pool_flat, date(2027, 6, 5), date(2027, 9, 1))

    [flat] = project_empty_days(project)

    # 10-31 May: 22 of 31 days; 1-4 June: 4 of 30 days (she moves in on the 5th).
    assert [(p.starts_on, p.ends_on, p.days) for p in flat.periods] == [
        (date(2027, 5, 10), date(2027, 6, 5), 26)
    ]
    assert flat.days == 26
    assert flat.cost == D("5280.00") + D("992.00")
    assert flat.pool_flat == pool_flat


def test_the_budget_counts_the_rents_run_so_far_as_spent_and_the_rest_as_committed(
    project, pool_flat
):
    first = _case(project, "Egevej")
    second = _case(project, "Bøgevej")
    _stay(first, pool_flat, date(2027, 3, 15), date(2027, 5, 10))
    _stay(second, pool_flat, date(2027, 6, 5), date(2027, 9, 1))

    lines = rent_lines(project, today=date(2027, 4, 1))

    # The first stay: March has run (1,009.03); April and May are to come (1,840 + 534.19).
    # The second: June 26 of 30 days, July, August (7,440 - 5,600 = 1,840 a month).
    june = D("6448.00") - D("4853.33")
    assert lines["rent_difference"].spent == D("1009.03")
    assert lines["rent_difference"].committed == D("1840.00") + D("534.19") + june + 2 * D("1840")
    # The empty days between them (10 May - 4 June) are counted as they are known.
    assert lines["empty_days"].spent == D("6272.00")


def test_a_flat_between_another_projects_households_is_not_the_projects(project, pool_flat):
    other_project = factories.make_project(project.estate, name="Anden plan")
    ours = _case(project, "Egevej")
    theirs = _case(other_project, "Bøgevej")
    _stay(ours, pool_flat, date(2027, 3, 1), date(2027, 4, 1))
    _stay(theirs, pool_flat, date(2027, 5, 1), date(2027, 6, 1))

    assert project_empty_days(project) == []
    assert project_empty_days(other_project) == []


def test_the_quarterly_statement_rows(project, pool_flat):
    first = _case(project, "Egevej")
    second = _case(project, "Bøgevej", net_rent="4000.00", aconto="0")
    _stay(first, pool_flat, date(2027, 3, 15), date(2027, 5, 10))
    _stay(second, pool_flat, date(2027, 6, 5), date(2027, 9, 1))

    assert quarter_bounds(2027, 2) == (date(2027, 4, 1), date(2027, 7, 1))
    [q1] = quarter_statement(project, year=2027, quarter=1)
    [q2] = quarter_statement(project, year=2027, quarter=2)

    assert (q1.stay_days, q1.stays_cost, q1.households_pay) == (17, D("4080.00"), D("3070.97"))
    assert (q1.empty_days, q1.empty_cost, q1.project_carries) == (0, D("0.00"), D("1009.03"))
    # April and 1-9 May of the first household; 5-30 June (26 of 30 days) of the second.
    assert q2.stay_days == 30 + 9 + 26
    assert q2.stays_cost == D("7440.00") + D("2160.00") + D("6448.00")
    assert q2.households_pay == D("5600.00") + D("1625.81") + D("3466.67")
    assert (q2.empty_days, q2.empty_cost) == (26, D("6272.00"))
    assert q2.project_carries == q2.stays_cost - q2.households_pay + D("6272.00")
    assert quarter_statement(project, year=2027, quarter=4) == []


def test_a_whole_year_amount_is_twelve_months():
    assert amount_for(D("7440.00"), date(2027, 1, 1), date(2028, 1, 1)) == D("89280.00")


def test_the_project_sums_take_a_fixed_number_of_queries(
    project, pool_flat, django_assert_max_num_queries
):
    for n in range(6):
        organisation = project.estate.organisation
        flat = factories.make_flat(factories.make_stairwell(project.estate, street=f"Pulje{n}"))
        extra = factories.make_pool_flat(
            organisation, flat, kind="temporary", project_rent=D("9000")
        )
        for k in range(2):
            case = _case(project, f"Vej{n}-{k}")
            _stay(case, extra, date(2027, 1 + 4 * k, 3), date(2027, 3 + 4 * k, 20))

    with django_assert_max_num_queries(1):
        assert project_rent_difference(project) > 0
    with django_assert_max_num_queries(1):
        assert len(project_empty_days(project)) == 6
    with django_assert_max_num_queries(1):
        assert len(quarter_statement(project, year=2027, quarter=2)) == 6
