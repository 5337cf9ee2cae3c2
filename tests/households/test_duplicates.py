"""Likely duplicates: found, shown, merged with every related row kept, or kept apart."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case
from households.import_views import DUPLICATES_PER_PAGE
from households.models import (
    AccessLog,
    DuplicateDismissal,
    Household,
    HouseholdMerge,
    Resident,
)
from households.selectors import duplicate_candidates_of, duplicate_pairs
from households.services import MergeRefused, _references, households_merge
from tests import factories


@pytest.fixture
def twins(cast):
    """The same couple registered twice in estate A1, the second time spelt otherwise."""
    estate = cast.case_a1.household.flat.stairwell.estate
    first = factories.make_household(
        factories.make_flat(factories.make_stairwell(estate, street="Tvillingvej")),
        "Jørgen Aagaard",
        "Else Aagaard",
    )
    second = factories.make_household(
        factories.make_flat(factories.make_stairwell(estate, street="Tvillingevej")),
        "jorgen  ågård",
        "Else Ågård",
    )
    return first, second


def candidates_of(user):
    """Every likely pair the user may see, with its households (as the page reads a page)."""
    return duplicate_candidates_of(duplicate_pairs(user=user))


def test_it_finds_the_same_household_under_two_spellings(cast, twins):
    first, second = twins
    candidates = candidates_of(cast.manager_a)
    pair = next(c for c in candidates if {c.first.pk, c.second.pk} == {first.pk, second.pk})
    assert "samme navne, stavet forskelligt" in pair.reasons
    assert "samme navn og fødselsår" in pair.reasons


def test_it_finds_the_same_person_by_phone_or_email(cast):
    estate = cast.case_a1.household.flat.stairwell.estate
    one, two, three = (
        factories.make_household(factories.make_flat(factories.make_stairwell(estate)), name)
        for name in ("Anna Berg", "Bo Dal", "Carl Eng")
    )
    Resident.objects.filter(household=one).update(phone="20 30 40 50", birth_year=None)
    Resident.objects.filter(household=two).update(phone="+4520304050", birth_year=None)
    Resident.objects.filter(household=three).update(email="Carl@Example.dk")
    Resident.objects.filter(household=one).update(email="carl@example.dk")
    reasons = {
        frozenset((c.first.pk, c.second.pk)): c.reasons for c in candidates_of(cast.manager_a)
    }
    assert reasons[frozenset((one.pk, two.pk))] == ["samme telefonnummer"]
    assert reasons[frozenset((one.pk, three.pk))] == ["samme e-mailadresse"]
    assert frozenset((two.pk, three.pk)) not in reasons


def test_it_shows_only_pairs_the_user_may_see(client, cast, twins):
    client.force_login(cast.caseworker_a2)  # works in A2, the twins live in A1
    body = client.get(reverse("households:duplicates")).content.decode()
    assert "Tvillingvej" not in body and "Aagaard" not in body
    client.force_login(cast.manager_b)
    assert "Aagaard" not in client.get(reverse("households:duplicates")).content.decode()


def test_it_remembers_a_pair_kept_apart(client, cast, twins):
    first, second = twins
    client.force_login(cast.caseworker_a1)
    url = reverse("households:duplicates")
    assert "Tvillingevej" in client.get(url).content.decode()
    response = client.post(
        reverse("households:duplicate_keep_apart"), {"first": second.pk, "second": first.pk}
    )
    assert response.status_code == 302
    assert DuplicateDismissal.objects.filter(
        household_low=min(first.pk, second.pk), household_high=max(first.pk, second.pk)
    ).exists()
    assert "Tvillingevej" not in client.get(url).content.decode()
    assert Household.objects.filter(pk__in=[first.pk, second.pk]).count() == 2


def _rows_in_every_related_model(cast, household: Household, resident: Resident) -> None:
    """One row pointing at `household` (and `resident`) in every model that can."""
    from outreach.letters.models import Letter, LetterTemplate, LetterTemplateVersion
    from outreach.models import AwaitedReply, Contact, Flag, Invitation, Meeting, Tip
    from referrals.models import Community, CommunityMeeting, CommunityMembership, Referral

    project = cast.case_a1.project
    organisation = project.estate.organisation
    factories.make_case(factories.make_project(project.estate, name="Andet projekt"), household)
    factories.assess(household, "less", ["elderly"])
    meeting = Meeting.objects.create(
        project=project, held_at=timezone.now(), place="Fælleshuset", topic="Genhusning"
    )
    Invitation.objects.create(meeting=meeting, household=household)
    Contact.objects.create(household=household, channel="door_knock", outcome="no_answer")
    Tip.objects.create(flat=household.flat, household=household, source="caretaker", text="Tip")
    AwaitedReply.objects.create(
        household=household, subject="Varsel", sent_via="letter", due_on=date.today()
    )
    Flag.objects.create(household=household, kind="no_reply", reason="Intet svar")
    partner = factories.make_partner(organisation)
    factories.make_consent(household, cast.caseworker_a1, resident=resident, partner=partner)
    Referral.objects.create(
        household=household,
        resident=resident,
        partner=partner,
        reason="Bostøtte",
        created_by=cast.caseworker_a1,
    )
    community = Community.objects.create(organisation=organisation, name="Nye naboer")
    CommunityMembership.objects.create(community=community, household=household)
    community_meeting = CommunityMeeting.objects.create(
        community=community, starts_at=timezone.now() + timedelta(days=3), place="Biblioteket"
    )
    community_meeting.attendees.add(household)
    HouseholdMerge.objects.create(kept=household, removed_id=999999, by=cast.manager_a)
    template = LetterTemplate.objects.create(organisation=organisation, kind="notice", name="V")
    version = LetterTemplateVersion.objects.create(
        template=template, language="da", number=1, subject="Varsel", body="Kære beboer"
    )
    Letter.objects.create(
        household=household, template_version=version, subject="Varsel", body_rendered="Kære"
    )


def _pointing_at(model, pk: int) -> dict[str, int]:
    counts = {}
    for fk in _references(model):
        count = fk.model._base_manager.filter(**{fk.attname: pk}).count()
        counts[f"{fk.model._meta.label}.{fk.name}"] = count
    return counts


def test_it_merges_and_keeps_every_row_of_every_related_model(client, cast, twins):
    keep, remove = twins
    resident = remove.residents.get(first_name="jorgen")
    _rows_in_every_related_model(cast, remove, resident)
    before_household = _pointing_at(Household, remove.pk)
    before_resident = _pointing_at(Resident, resident.pk)
    # every model that points at a household or a resident has a row here: a new model that
    # is not covered makes this fail until the test plants a row for it
    assert all(before_household.values()), before_household
    assert all(before_resident.values()), before_resident

    client.force_login(cast.manager_a)
    response = client.post(
        reverse("households:duplicate_merge"),
        {"first": keep.pk, "second": remove.pk, "keep": keep.pk},
    )
    assert response.status_code == 302
    assert Household.objects.filter(pk=remove.pk).exists()  # not without the tick
    response = client.post(
        reverse("households:duplicate_merge"),
        {"first": keep.pk, "second": remove.pk, "keep": keep.pk, "confirm": "on"},
    )
    assert response.status_code == 302
    assert not Household.objects.filter(pk=remove.pk).exists()
    kept_resident = keep.residents.get(first_name="Jørgen")
    after_household = _pointing_at(Household, keep.pk)
    for label, count in before_household.items():
        if label == "households.Resident.household":
            continue  # the duplicate residents became one each
        assert after_household[label] >= count, label
    after_resident = _pointing_at(Resident, kept_resident.pk)
    assert all(after_resident[label] >= count for label, count in before_resident.items())
    assert sorted(keep.residents.values_list("first_name", flat=True)) == ["Else", "Jørgen"]
    assert keep.residents.filter(is_contact_person=True).count() == 1
    merge = HouseholdMerge.objects.get(removed_id=remove.pk)
    assert merge.by == cast.manager_a and merge.kept == keep
    assert merge.moved["cases.Case"] == 1
    assert AccessLog.objects.filter(what="households merged", household=remove.pk).exists()
    keep.refresh_from_db()
    assert keep.version == 2


def test_it_refuses_a_merge_that_would_break_a_rule_and_changes_nothing(cast, twins):
    keep, remove = twins
    project = cast.case_a1.project
    factories.make_case(project, keep)
    factories.make_case(project, remove)  # two cases in one project cannot become one household's
    with pytest.raises(MergeRefused, match="sag"):
        households_merge(keep=keep, remove=remove, by=cast.manager_a)
    assert Household.objects.filter(pk=remove.pk).exists()
    assert Case.objects.filter(household=remove).count() == 1
    assert remove.residents.count() == 2 and not HouseholdMerge.objects.exists()


def test_it_lets_the_caseworker_merge_only_households_she_may_change(client, cast, twins):
    keep, _remove = twins
    other = cast.case_a2.household
    client.force_login(cast.caseworker_a1)
    response = client.post(
        reverse("households:duplicate_merge"), {"first": keep.pk, "second": other.pk}
    )
    assert response.status_code == 404
    client.force_login(cast.rehousing_officer_a1)
    response = client.post(
        reverse("households:duplicate_merge"), {"first": keep.pk, "second": _remove.pk}
    )
    assert response.status_code == 403
    assert client.get(reverse("households:duplicates")).status_code == 403
    assert Household.objects.filter(pk__in=[keep.pk, _remove.pk, other.pk]).count() == 3


@pytest.mark.parametrize("who", ["visitator", "caretaker_a1", "manager_b"])
def test_it_shows_outsiders_nothing(client, cast, twins, who):
    keep, remove = twins
    client.force_login(getattr(cast, who))
    for name in ("households:duplicate_merge", "households:duplicate_keep_apart"):
        response = client.post(reverse(name), {"first": keep.pk, "second": remove.pk})
        assert response.status_code in (403, 404)
        assert "Aagaard" not in response.content.decode()
    assert Household.objects.filter(pk__in=[keep.pk, remove.pk]).count() == 2
    assert not DuplicateDismissal.objects.exists()


def test_it_answers_wrong_methods_and_bad_ids(client, cast, twins):
    client.force_login(cast.manager_a)
    assert client.get(reverse("households:duplicate_merge")).status_code == 405
    assert client.get(reverse("households:duplicate_keep_apart")).status_code == 405
    assert client.post(reverse("households:duplicates")).status_code == 405
    response = client.post(reverse("households:duplicate_merge"), {"first": "x", "second": "1"})
    assert response.status_code == 404


def test_it_refuses_a_pair_of_one_household(client, cast, twins):
    first, _second = twins
    client.force_login(cast.manager_a)
    for name in ("households:duplicate_merge", "households:duplicate_keep_apart"):
        data = {"first": first.pk, "second": first.pk, "keep": first.pk, "confirm": "on"}
        assert client.post(reverse(name), data).status_code == 404
    assert Household.objects.filter(pk=first.pk).exists()
    assert not DuplicateDismissal.objects.exists()


def test_the_duplicates_page_needs_a_fixed_number_of_queries(
    client, cast, django_assert_max_num_queries
):
    """A page of pairs, with the same queries for 3 pairs as for 33 (two pages)."""
    estate = cast.case_a1.household.flat.stairwell.estate
    client.force_login(cast.manager_a)
    url = reverse("households:duplicates")
    for count, tag in ((3, "a"), (30, "b")):
        factories.make_twin_households(estate, count, tag)
        with django_assert_max_num_queries(10):
            first = client.get(url).content.decode()
        with django_assert_max_num_queries(10):
            last = client.get(url, {"page": "2"}).content.decode()
    assert first.count('name="keep"') == 2 * DUPLICATES_PER_PAGE
    assert "1–25 af 33 par" in first and "Side 1 af 2" in first
    assert last.count('name="keep"') == 2 * (33 - DUPLICATES_PER_PAGE)
    assert "26–33 af 33 par" in last
    # the strongest first: every pair here is alike in all (10 + 1), so by the lower id
    assert "Person0a Dobbelt" in first and "Person29b Dobbelt" in last


def test_a_consent_is_still_never_edited_only_moved_with_its_household(cast, twins):
    from django.db import ProgrammingError, transaction

    from referrals.models import Consent

    keep, remove = twins
    consent = factories.make_consent(
        remove,
        cast.caseworker_a1,
        partner=factories.make_partner(keep.flat.stairwell.estate.organisation),
    )
    with pytest.raises(ProgrammingError), transaction.atomic():
        Consent.objects.filter(pk=consent.pk).update(given_by="Someone else")
    Consent.objects.filter(pk=consent.pk).update(household=keep)
    assert Consent.objects.get(pk=consent.pk).given_by == consent.given_by


def test_it_does_not_propose_namesakes_of_different_ages(cast):
    estate = cast.case_a1.household.flat.stairwell.estate
    one, two = (
        factories.make_household(factories.make_flat(factories.make_stairwell(estate)), name)
        for name in ("Gudrun Clausen", "Gudrun Clausen")
    )
    Resident.objects.filter(household=two).update(birth_year=1954)
    pairs = {frozenset((c.first.pk, c.second.pk)) for c in candidates_of(cast.manager_a)}
    assert frozenset((one.pk, two.pk)) not in pairs


def test_it_ignores_anonymised_households(cast, twins, client):
    """The retention leaves "(anonymiseret)" residents with their birth years: not duplicates of
    each other, nor of a household that is still named."""
    estate = cast.case_a1.household.flat.stairwell.estate
    gone = [
        factories.make_household(
            factories.make_flat(factories.make_stairwell(estate, street=f"Gammelvej {n}")),
            "Jørgen Aagaard",
        )
        for n in range(2)
    ]
    Resident.objects.filter(household__in=gone).update(first_name="", last_name="", birth_year=1950)
    Household.objects.filter(pk__in=[h.pk for h in gone]).update(anonymised_at=timezone.now())

    candidates = candidates_of(cast.manager_a)
    pairs = {frozenset((c.first.pk, c.second.pk)) for c in candidates}

    assert pairs == {frozenset(h.pk for h in twins)}
    client.force_login(cast.manager_a)
    body = client.get(reverse("households:duplicates")).content.decode()
    assert "anonymiseret" not in body and "Aagaard" in body
