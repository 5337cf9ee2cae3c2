"""Every referral transition, allowed and refused, with its history; sending checks the consent
under the row lock and stores the consent relied on; a status changed meanwhile is a conflict."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from core.versioning import ConflictError
from referrals.consents.services import consent_withdraw
from referrals.models import DataCategory, Purpose, Referral, ReferralEvent, ReferralStatus
from referrals.services import REFERRAL_TRANSITIONS, referral_create
from referrals.services import referral_transition as transition
from tests import factories

S = ReferralStatus
# The path to reach each status from a draft.
PATHS = {
    S.DRAFT: [],
    S.SENT: [S.SENT],
    S.ACCEPTED: [S.SENT, S.ACCEPTED],
    S.IN_PROGRESS: [S.SENT, S.ACCEPTED, S.IN_PROGRESS],
    S.DONE: [S.SENT, S.ACCEPTED, S.DONE],
    S.DECLINED: [S.SENT, S.DECLINED],
    S.WITHDRAWN: [S.WITHDRAWN],
}
ALL_PAIRS = [(a, b) for a in S.values for b in S.values if a != b]


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


def draft(cast, partner, **fields):
    fields.setdefault("reason", "Har brug for hjælp til at pakke")
    fields.setdefault("purpose", Purpose.REFERRAL)
    return referral_create(
        household=cast.case_a1.household, partner=partner, by=cast.caseworker_a1, **fields
    )


def walk(referral, statuses, by):
    for status in statuses:
        referral = transition(referral=referral, to_status=status, by=by)
    return referral


@pytest.mark.parametrize(("from_status", "to_status"), ALL_PAIRS)
def test_each_transition_is_allowed_or_refused_as_the_table_says(
    cast, partners, from_status, to_status
):
    referral = walk(draft(cast, partners["home_care"]), PATHS[from_status], cast.caseworker_a1)
    events = referral.events.count()
    if to_status in REFERRAL_TRANSITIONS[from_status]:
        moved = transition(
            referral=referral, to_status=to_status, by=cast.caseworker_a2, note="Ringet op"
        )
        assert moved.status == to_status
        last = moved.events.last()
        assert (last.from_status, last.to_status, last.by, last.note) == (
            from_status,
            to_status,
            cast.caseworker_a2,
            "Ringet op",
        )
        assert moved.events.count() == events + 1
    else:
        with pytest.raises(ValidationError, match="cannot become"):
            transition(referral=referral, to_status=to_status, by=cast.caseworker_a2)
        referral.refresh_from_db()
        assert referral.status == from_status
        assert referral.events.count() == events


def test_finished_referrals_go_nowhere():
    for status in (S.DONE, S.DECLINED, S.WITHDRAWN):
        assert REFERRAL_TRANSITIONS[status] == ()


def test_creating_writes_the_first_history_row(cast, partners):
    referral = draft(cast, partners["home_care"], shared=[DataCategory.HOUSING, "identity"])
    assert referral.status == S.DRAFT and referral.version == 1
    assert referral.shared == [DataCategory.IDENTITY, DataCategory.HOUSING]
    event = referral.events.get()
    assert (event.from_status, event.to_status, event.by) == ("", S.DRAFT, cast.caseworker_a1)


def test_it_refuses_a_partner_of_another_organisation_and_unknown_data(cast, partners):
    with pytest.raises(ValidationError) as error:
        draft(cast, partners["other_org"], shared=["passport"])
    assert {"partner", "shared"} <= set(error.value.message_dict)
    with pytest.raises(ValidationError) as error:
        draft(cast, partners["home_care"], reason="  ")
    assert "reason" in error.value.message_dict
    assert not Referral.objects.exists()


def test_sending_without_personal_data_needs_no_consent(cast, partners):
    referral = transition(
        referral=draft(cast, partners["home_care"]), to_status=S.SENT, by=cast.caseworker_a1
    )
    assert referral.status == S.SENT and referral.consent is None


def test_sending_personal_data_without_consent_is_refused_with_the_reason(cast, partners):
    referral = draft(cast, partners["home_care"], shared=[DataCategory.IDENTITY])
    with pytest.raises(ValidationError) as error:
        transition(referral=referral, to_status=S.SENT, by=cast.caseworker_a1)
    assert error.value.code == "consent_missing"
    assert "no consent" in error.value.message
    referral.refresh_from_db()
    assert referral.status == S.DRAFT and referral.consent is None
    assert referral.events.count() == 1


def test_sending_stores_the_consent_relied_on(cast, partners):
    household = cast.case_a1.household
    consent = factories.make_consent(household, cast.caseworker_a1, partner=partners["home_care"])
    referral = draft(cast, partners["home_care"], shared=[DataCategory.IDENTITY])
    sent = transition(referral=referral, to_status=S.SENT, by=cast.caseworker_a1)
    assert sent.consent == consent
    assert Referral.objects.get(pk=referral.pk).consent == consent
    assert sent.version == 2 and sent.updated_by == cast.caseworker_a1


def test_a_consent_withdrawn_after_the_draft_was_written_stops_the_sending(cast, partners):
    household = cast.case_a1.household
    consent = factories.make_consent(household, cast.caseworker_a1, partner=partners["home_care"])
    referral = draft(cast, partners["home_care"], shared=[DataCategory.HOUSING])
    consent_withdraw(consent=consent, by=cast.caseworker_a1)
    with pytest.raises(ValidationError, match="withdrawn"):
        transition(referral=referral, to_status=S.SENT, by=cast.caseworker_a1)


def test_a_resident_referral_is_covered_by_that_residents_consent(cast, partners):
    household = cast.case_a1.household
    resident = household.residents.first()
    factories.make_consent(
        household, cast.caseworker_a1, partner=partners["home_care"], resident=resident
    )
    whole = draft(cast, partners["home_care"], shared=[DataCategory.IDENTITY])
    with pytest.raises(ValidationError, match="one resident"):
        transition(referral=whole, to_status=S.SENT, by=cast.caseworker_a1)
    one = draft(cast, partners["home_care"], shared=[DataCategory.IDENTITY], resident=resident)
    assert transition(referral=one, to_status=S.SENT, by=cast.caseworker_a1).consent


def test_a_status_changed_meanwhile_is_a_conflict_not_an_overwrite(cast, partners):
    referral = draft(cast, partners["home_care"])
    stale = Referral.objects.get(pk=referral.pk)
    transition(referral=referral, to_status=S.WITHDRAWN, by=cast.caseworker_a2)
    with pytest.raises(ConflictError) as conflict:
        transition(referral=stale, to_status=S.SENT, by=cast.caseworker_a1, expected_status=S.DRAFT)
    assert conflict.value.current.status == S.WITHDRAWN
    assert Referral.objects.get(pk=referral.pk).status == S.WITHDRAWN


def test_the_outcome_is_kept_when_finishing(cast, partners):
    referral = walk(draft(cast, partners["home_care"]), [S.SENT, S.ACCEPTED], cast.caseworker_a1)
    before = timezone.now()
    done = transition(
        referral=referral, to_status=S.DONE, by=cast.caseworker_a1, outcome=" Hjælp bevilget "
    )
    assert done.outcome == "Hjælp bevilget"
    assert done.status_changed_at >= before
    assert list(
        ReferralEvent.objects.filter(referral=referral).values_list("to_status", flat=True)
    ) == [S.DRAFT, S.SENT, S.ACCEPTED, S.DONE]
