"""A flag's copy of its household's estate (Flag.estate), kept by the database for every writer,
and the flags each user sees through it: the same as through her households."""

import pytest
from django.db import connection

from households.models import Flat, Household, Stairwell
from outreach.models import Flag, FlagKind
from outreach.permissions import flags_for_user
from outreach.services import flag_raise
from tests import factories


def estate_of(flag: Flag) -> int | None:
    return Flag.objects.values_list("estate_id", flat=True).get(pk=flag.pk)


@pytest.fixture
def places(db):
    organisation = factories.make_organisation()
    home, other = factories.make_estate(organisation), factories.make_estate(organisation)
    stairwell = factories.make_stairwell(home, street="Hjemvej")
    household = factories.make_household(factories.make_flat(stairwell), "Hanne Hjem")
    flag = flag_raise(household=household, kind=FlagKind.NO_CONTACT, reason="Ingen kontakt")
    return home, other, stairwell, household, flag


def test_a_raised_flag_has_its_households_estate(places):
    home, _other, _stairwell, _household, flag = places
    assert estate_of(flag) == home.pk


def test_python_cannot_give_a_flag_another_estate(places):
    home, other, _stairwell, household, flag = places
    Flag.objects.filter(pk=flag.pk).update(estate=other)
    assert estate_of(flag) == home.pk
    made = Flag.objects.create(
        household=household, kind=FlagKind.NO_REPLY, reason="x", estate=other
    )
    assert estate_of(made) == home.pk


def test_a_flag_cannot_keep_an_estate_that_does_not_exist(places):
    """The column has no foreign-key constraint of its own (Flag.estate): the triggers hold it."""
    home, _other, _stairwell, household, flag = places
    missing = 10**9
    Flag.objects.filter(pk=flag.pk).update(estate_id=missing)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO outreach_flag (household_id, kind, reason, reason_data, raised_at,"
            " resolution, estate_id) VALUES (%s, 'no_reply', 'x', '{}', now(), '', %s)"
            " RETURNING id",
            [household.pk, missing],
        )
        (inserted,) = cursor.fetchone()
    assert estate_of(flag) == home.pk
    assert Flag.objects.values_list("estate_id", flat=True).get(pk=inserted) == home.pk


def test_flags_inserted_at_once_get_their_households_estate(places):
    """As the scan inserts them (one INSERT … SELECT), with no estate or a wrong one."""
    home, other, stairwell, _household, _flag = places
    more = [factories.make_household(factories.make_flat(stairwell, door=str(n))) for n in (2, 3)]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO outreach_flag (household_id, kind, reason, reason_data, raised_at,"
            " resolution, estate_id) SELECT id, 'no_reply', 'x', '{}', now(), '',"
            " CASE WHEN id = %s THEN %s END FROM households_household WHERE id = ANY(%s)",
            [more[0].pk, other.pk, [h.pk for h in more]],
        )
    inserted = Flag.objects.filter(household__in=more).values_list("estate_id", flat=True)
    assert list(inserted) == [home.pk, home.pk]


def test_the_estate_follows_a_household_that_moves(places):
    _home, other, _stairwell, household, flag = places
    elsewhere = factories.make_flat(factories.make_stairwell(other, street="Andenvej"))
    Household.objects.filter(pk=household.pk).update(flat=elsewhere)
    assert estate_of(flag) == other.pk


def test_the_estate_follows_a_flat_that_moves(places):
    _home, other, _stairwell, household, flag = places
    Flat.objects.filter(pk=household.flat_id).update(
        stairwell=factories.make_stairwell(other, street="Andenvej")
    )
    assert estate_of(flag) == other.pk


def test_the_estate_follows_a_stairwell_that_moves(places):
    _home, other, stairwell, _household, flag = places
    Stairwell.objects.filter(pk=stairwell.pk).update(estate=other)
    assert estate_of(flag) == other.pk


def test_the_estate_follows_a_flag_given_to_another_household(places):
    """As a merge of households moves the flags of the one removed (households_merge)."""
    _home, other, _stairwell, _household, flag = places
    moved_to = factories.make_household(
        factories.make_flat(factories.make_stairwell(other, street="Andenvej")), "Ole Anden"
    )
    Flag.objects.filter(pk=flag.pk).update(household=moved_to)
    assert estate_of(flag) == other.pk


def test_each_user_sees_the_flags_of_the_households_she_sees(cast):
    """Through the flag's estate, the same flags as through Household.objects.for_user, also
    after a household moved to another organisation's estate."""
    for case in (cast.case_a1, cast.case_a2, cast.case_b1):
        flag_raise(household=case.household, case=case, kind=FlagKind.NO_CONTACT, reason="x")
    moved = factories.make_household(
        factories.make_flat(factories.make_stairwell(cast.case_a1.project.estate)), "Flyt Ter"
    )
    flag_raise(household=moved, kind=FlagKind.NO_REPLY, reason="y")
    Household.objects.filter(pk=moved.pk).update(
        flat=factories.make_flat(factories.make_stairwell(cast.case_b1.project.estate))
    )
    users = [value for value in vars(cast).values() if hasattr(value, "has_perm")]
    for user in users:
        expected = set(
            Flag.objects.filter(household__in=Household.objects.for_user(user)).values_list(
                "pk", flat=True
            )
        )
        if not user.has_perm("outreach.view_flag"):
            expected = set()
        assert set(flags_for_user(user).values_list("pk", flat=True)) == expected, user
