"""The consent rule: person-level data goes to a partner only under a consent that is valid
today, names that partner or its kind, has the purpose, covers every category shared, and was
given by the resident concerned or for the whole household."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone, translation

from referrals.consents.selectors import consent_check, consented_categories
from referrals.consents.services import consent_record, consent_withdraw
from referrals.models import Consent, ConsentWithdrawal, DataCategory, PartnerKind, Purpose
from tests import factories

ID_HOUSING = [DataCategory.IDENTITY, DataCategory.HOUSING]


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def household(cast):
    return cast.case_a1.household


def check(household, partner, categories=ID_HOUSING, **kwargs):
    kwargs.setdefault("purpose", Purpose.REFERRAL)
    return consent_check(household=household, partner=partner, categories=categories, **kwargs)


def test_it_finds_no_consent(cast, partners, household):
    result = check(household, partners["home_care"])
    assert not result
    assert result.consent is None
    assert "no consent" in result.reason and "Hjemmeplejen Syd" in result.reason


def test_a_valid_consent_covers_its_partner(cast, partners, household):
    consent = factories.make_consent(household, cast.caseworker_a1, partner=partners["home_care"])
    result = check(household, partners["home_care"])
    assert result and result.consent == consent and result.reason == ""


def test_it_refuses_an_expired_consent(cast, partners, household):
    today = timezone.localdate()
    factories.make_consent(
        household,
        cast.caseworker_a1,
        partner=partners["home_care"],
        given_on=today - timedelta(days=400),
        expires_on=today - timedelta(days=1),
    )
    result = check(household, partners["home_care"])
    assert not result and "expired" in result.reason


def test_a_consent_is_valid_on_its_last_day(cast, partners, household):
    today = timezone.localdate()
    factories.make_consent(
        household, cast.caseworker_a1, partner=partners["home_care"], expires_on=today
    )
    assert check(household, partners["home_care"])


def test_it_refuses_a_consent_not_yet_valid(cast, partners, household):
    consent = factories.make_consent(household, cast.caseworker_a1, partner=partners["home_care"])
    result = check(household, partners["home_care"], on=consent.given_on - timedelta(days=1))
    assert not result and "only valid from" in result.reason


def test_it_refuses_a_consent_for_another_partner(cast, partners, household):
    factories.make_consent(household, cast.caseworker_a1, partner=partners["home_care"])
    result = check(household, partners["home_care_2"])
    assert not result and "no consent" in result.reason


def test_it_refuses_a_consent_for_another_kind(cast, partners, household):
    factories.make_consent(household, cast.caseworker_a1, partner_kind=PartnerKind.JOBCENTER)
    assert not check(household, partners["home_care"])
    assert check(household, partners["jobcenter"])


def test_a_consent_for_a_kind_covers_every_partner_of_that_kind(cast, partners, household):
    consent = factories.make_consent(
        household, cast.caseworker_a1, partner_kind=PartnerKind.HOME_CARE
    )
    assert check(household, partners["home_care"]).consent == consent
    assert check(household, partners["home_care_2"]).consent == consent


def test_it_refuses_a_consent_for_another_purpose(cast, partners, household):
    factories.make_consent(
        household, cast.caseworker_a1, partner=partners["home_care"], purpose=Purpose.FOLLOW_UP
    )
    result = check(household, partners["home_care"])
    assert not result and "another purpose" in result.reason


def test_it_refuses_a_consent_that_misses_a_category(cast, partners, household):
    factories.make_consent(household, cast.caseworker_a1, partner=partners["home_care"])
    result = check(household, partners["home_care"], [*ID_HOUSING, DataCategory.SOCIAL])
    assert not result and "does not cover" in result.reason and "social note" in result.reason
    assert check(household, partners["home_care"], [DataCategory.HOUSING])


def test_a_resident_consent_covers_that_resident_only(cast, partners, household):
    first = household.residents.first()
    second = household.residents.create(first_name="Per", last_name="Hansen")
    factories.make_consent(
        household, cast.caseworker_a1, partner=partners["home_care"], resident=first
    )
    assert check(household, partners["home_care"], resident=first)
    result = check(household, partners["home_care"])  # the whole household
    assert not result and "one resident" in result.reason
    assert not check(household, partners["home_care"], resident=second)


def test_a_household_consent_covers_every_resident(cast, partners, household):
    factories.make_consent(household, cast.caseworker_a1, partner=partners["home_care"])
    resident = household.residents.first()
    assert check(household, partners["home_care"], resident=resident)
    assert check(household, partners["home_care"])


def test_it_refuses_a_withdrawn_consent_from_the_moment_it_is_withdrawn(cast, partners, household):
    consent = factories.make_consent(household, cast.caseworker_a1, partner=partners["home_care"])
    assert check(household, partners["home_care"])
    consent_withdraw(consent=consent, by=cast.caseworker_a1, note="Ringede og trak det tilbage")
    result = check(household, partners["home_care"])
    assert not result and "withdrawn" in result.reason
    assert not Consent.objects.valid().filter(pk=consent.pk).exists()
    with pytest.raises(ValidationError, match="already been withdrawn"):
        consent_withdraw(consent=consent, by=cast.caseworker_a1)
    assert ConsentWithdrawal.objects.filter(consent=consent).count() == 1


def test_a_replaced_consent_no_longer_counts_and_its_replacement_does(cast, partners, household):
    old = factories.make_consent(household, cast.caseworker_a1, partner=partners["home_care"])
    new = factories.make_consent(
        household,
        cast.caseworker_a1,
        partner=partners["home_care"],
        categories=[DataCategory.IDENTITY],
        replaces=old,
    )
    assert check(household, partners["home_care"], [DataCategory.IDENTITY]).consent == new
    result = check(household, partners["home_care"])  # housing was only in the old one
    assert not result and "does not cover" in result.reason
    assert list(Consent.objects.valid().filter(household=household)) == [new]
    with pytest.raises(ValidationError) as error:
        factories.make_consent(
            household, cast.caseworker_a1, partner_kind=PartnerKind.HOME_CARE, replaces=old
        )
    assert "already been replaced" in str(error.value)
    with pytest.raises(ValidationError, match="withdraw that one"):
        consent_withdraw(consent=old, by=cast.caseworker_a1)


def test_the_database_refuses_to_edit_a_consent(cast, partners, household):
    consent = factories.make_consent(household, cast.caseworker_a1, partner=partners["home_care"])
    with pytest.raises(DatabaseError, match="never edited"), transaction.atomic():
        Consent.objects.filter(pk=consent.pk).update(categories=[DataCategory.SOCIAL])
    consent.refresh_from_db()
    assert consent.categories == ID_HOUSING


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"partner_kind": ""}, "partner"),
        ({"partner_kind": PartnerKind.HOME_CARE, "with_partner": True}, "partner"),
        ({"categories": []}, "categories"),
        ({"categories": ["passport"]}, "categories"),
        ({"method": "oral"}, "witness"),
        ({"given_on": "tomorrow"}, "given_on"),
        ({"expires_on": "given_on"}, "expires_on"),
    ],
)
def test_it_refuses_a_consent_that_does_not_make_sense(cast, partners, household, fields, field):
    today = timezone.localdate()
    arguments = {
        "household": household,
        "by": cast.caseworker_a1,
        "given_by": "Agnete",
        "purpose": Purpose.REFERRAL,
        "categories": ID_HOUSING,
        "method": "written",
        "given_on": today,
    }
    if fields.pop("with_partner", False):
        arguments["partner"] = partners["home_care"]
    arguments.update(fields)
    if arguments["given_on"] == "tomorrow":
        arguments["given_on"] = today + timedelta(days=1)
    if arguments.get("expires_on") == "given_on":
        arguments["expires_on"] = today
    with pytest.raises(ValidationError) as error:
        consent_record(**arguments)
    assert field in error.value.message_dict
    assert not Consent.objects.exists()


def test_it_refuses_a_resident_of_another_household(cast, partners, household):
    stranger = cast.case_a2.household.residents.first()
    with pytest.raises(ValidationError) as error:
        factories.make_consent(
            household, cast.caseworker_a1, partner=partners["home_care"], resident=stranger
        )
    assert "resident" in error.value.message_dict


def test_an_oral_consent_records_its_witness(cast, partners, household):
    consent = factories.make_consent(
        household,
        cast.caseworker_a1,
        partner=partners["home_care"],
        method="oral",
        witness=cast.caseworker_a1,
    )
    assert consent.witness == cast.caseworker_a1


def test_consented_categories_are_what_valid_consents_allow_in_one_query(
    cast, partners, household, django_assert_num_queries
):
    resident = household.residents.first()
    factories.make_consent(household, cast.caseworker_a1, partner=partners["visitator"])
    factories.make_consent(
        household,
        cast.caseworker_a1,
        partner_kind=PartnerKind.MUNICIPAL_VISITATOR,
        resident=resident,
        categories=[DataCategory.SOCIAL],
    )
    withdrawn = factories.make_consent(
        household,
        cast.caseworker_a1,
        partner=partners["visitator"],
        categories=[DataCategory.VULNERABILITY],
    )
    consent_withdraw(consent=withdrawn, by=cast.caseworker_a1)
    factories.make_consent(
        household,
        cast.caseworker_a1,
        partner=partners["home_care"],
        categories=[DataCategory.HOME],
    )
    with django_assert_num_queries(1):
        found = consented_categories(household_ids=[household.pk], partners=[partners["visitator"]])
    assert found == {
        household.pk: {None: set(ID_HOUSING), resident.pk: {DataCategory.SOCIAL}},
    }
