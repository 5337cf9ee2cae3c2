"""visible_households_q: the rule of Household.objects.for_user, compiled once per request."""

from datetime import date

from django.contrib.auth.models import User
from guardian.shortcuts import assign_perm

from households.models import Flat, Household
from households.permissions import forget_access, visible_households_q


def visible(user) -> set[int]:
    rows = Household.objects.filter(visible_households_q(user, "pk"))
    return set(rows.values_list("pk", flat=True))


def test_it_matches_the_households_each_role_may_see(cast):
    for user in (
        cast.caseworker_a1,
        cast.caseworker_b1,
        cast.manager_a,
        cast.rehousing_officer_a1,
        cast.visitator,
        cast.caretaker_a1,
    ):
        fresh = User.objects.get(pk=user.pk)
        expected = set(Household.objects.for_user(fresh).values_list("pk", flat=True))
        assert visible(fresh) == expected, fresh.username


def test_it_keeps_the_rule_but_not_for_a_deactivated_user(cast):
    user = User.objects.get(pk=cast.caseworker_a1.pk)
    assert cast.case_a1.household_id in visible(user)
    assert visible(user) == visible(user)  # the second time from the kept SQL
    user.is_active = False
    assert visible(user) == set()


def test_a_superuser_sees_every_household_also_one_without_a_case(cast):
    admin = User.objects.create_superuser("root-admin", password="x")
    flat = Flat.objects.filter(households__isnull=True).first() or cast.case_a1.household.flat
    caseless = Household.objects.create(flat=flat, moved_out_on=date(2020, 1, 1))
    every = set(Household.objects.values_list("pk", flat=True))
    assert caseless.pk in every
    assert set(Household.objects.for_user(admin).values_list("pk", flat=True)) == every
    assert visible(admin) == every


def test_a_change_of_her_access_shows_once_what_was_kept_is_forgotten(cast):
    user = User.objects.get(pk=cast.caseworker_a1.pk)
    a2 = cast.case_a2.household_id
    assert a2 not in visible(user)
    assign_perm("households.work_in_estate", user, cast.case_a2.project.estate)
    assert a2 not in visible(user)  # kept for the request
    forget_access(user)
    assert a2 in visible(user)
