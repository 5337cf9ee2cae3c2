"""A temporary flat in another municipality needs the household's agreement (almenlejeloven
§ 86 a, stk. 1), and a household that refused the project's offers is flagged and its case page
proposes the next step."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from cases.logistics.matching import ranked_pool_flats
from cases.logistics.models import Offer, OfferStatus, RefusalReason
from cases.logistics.selectors import with_offers_refused
from cases.logistics.services import offer_make, offer_reply
from cases.models import Case, ProjectKind
from cases.stages import Stage
from outreach.models import Flag, FlagKind
from outreach.scan import flags_evaluate
from tests import factories

TODAY = date(2026, 2, 2)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def frozen():
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller


def _renovation(count: int = 1, required_offers: int = 2):
    organisation = factories.make_organisation()
    estate = factories.make_estate(organisation, "Hjemgården")  # Hvidovre
    project = factories.make_project(
        estate, kind=ProjectKind.RENOVATION_WITH_RETURN, required_offers=required_offers
    )
    stairwell = factories.make_stairwell(estate, street="Hjemvej")
    factories.make_schedule(
        project, stairwell, move_out_on=date(2026, 3, 2), return_on=date(2026, 6, 1)
    )
    cases = [
        factories.make_case(
            project,
            factories.make_household(
                factories.make_flat(stairwell, floor=n, door="tv"), f"Hanne Hansen{n}"
            ),
            stage=Stage.NOTIFIED,
        )
        for n in range(count)
    ]
    return organisation, cases


def _pool_flat_in(organisation, municipality=None, street="Poolvej"):
    estate = factories.make_estate(
        organisation, f"Pool {street}", **({"municipality": municipality} if municipality else {})
    )
    return factories.make_pool_flat(
        organisation, factories.make_flat(factories.make_stairwell(estate, street=street))
    )


def _koege():
    return factories.make_municipality("Køge", "259")


# --- The municipality ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_temporary_flat_in_another_municipality_is_not_offered_without_her_agreement(frozen):
    organisation, (case,) = _renovation()
    away = _pool_flat_in(organisation, _koege())

    with pytest.raises(ValidationError, match="another municipality") as refused:
        offer_make(case=case, pool_flat=away, by=None)
    assert "§ 86 a" in " ".join(refused.value.messages)
    assert not Offer.objects.exists()


@pytest.mark.django_db
def test_with_her_agreement_the_offer_records_who_and_when(frozen, cast):
    organisation, (case,) = _renovation()
    away = _pool_flat_in(organisation, _koege())

    offer = offer_make(
        case=case, pool_flat=away, by=cast.rehousing_officer_a1, other_municipality_agreed=True
    )

    assert offer.other_municipality_agreed_by == cast.rehousing_officer_a1
    assert offer.other_municipality_agreed_at is not None
    assert offer.other_municipality_agreed_at.date() == TODAY


@pytest.mark.django_db
def test_a_flat_in_her_own_municipality_needs_no_agreement_and_records_none(frozen):
    organisation, (case,) = _renovation()
    near = _pool_flat_in(organisation)

    offer = offer_make(case=case, pool_flat=near, by=None, other_municipality_agreed=True)

    assert offer.other_municipality_agreed_at is None and offer.other_municipality_agreed_by is None
    # The project's reply time, moved off a weekend or holiday (2 Feb + 14 days is a Monday).
    assert offer.reply_due_on == TODAY + timedelta(days=14)


@pytest.mark.django_db
def test_the_ranked_list_marks_the_flat_that_needs_her_agreement(frozen):
    organisation, (case,) = _renovation()
    _pool_flat_in(organisation, street="Nærvej")
    _pool_flat_in(organisation, _koege(), street="Fjernvej")

    matches = {
        m.pool_flat.flat.stairwell.street: m for m in ranked_pool_flats(case=case, today=TODAY)
    }

    assert not matches["Nærvej"].needs_agreement
    assert matches["Fjernvej"].needs_agreement
    assert any("Køge" in warning for warning in matches["Fjernvej"].warnings)


@pytest.mark.django_db
def test_the_offer_form_asks_for_the_agreement_and_refuses_without_it(frozen, client, cast):
    case = cast.case_a1
    Case.objects.filter(pk=case.pk).update(stage=Stage.NOTIFIED)
    organisation = case.project.estate.organisation
    away = _pool_flat_in(organisation, _koege())
    client.force_login(cast.rehousing_officer_a1)

    page = client.get(reverse("logistics:case_flats", args=[case.pk])).content.decode()
    assert 'name="other_municipality_agreed"' in page

    url = reverse("logistics:case_offer", args=[case.pk])
    response = client.post(url, {"pool_flat": away.pk, "sent_via": "letter"}, follow=True)
    assert "anden kommune" in response.content.decode()
    assert not Offer.objects.filter(case=case).exists()

    response = client.post(
        url, {"pool_flat": away.pk, "sent_via": "letter", "other_municipality_agreed": "1"}
    )
    assert response.status_code == 302
    offer = Offer.objects.get(case=case)
    assert offer.other_municipality_agreed_by == cast.rehousing_officer_a1


# --- After the offers ------------------------------------------------------------------------


def _refuse(case, pool_flat, frozen, day: int):
    offer = offer_make(case=case, pool_flat=pool_flat, by=None)
    frozen.move_to(TODAY + timedelta(days=day))
    offer_reply(
        offer=offer, status=OfferStatus.REFUSED, by=None, refusal_reason=RefusalReason.LOCATION
    )
    return offer


@pytest.mark.django_db
def test_refusing_the_project_offers_raises_a_flag_that_a_new_offer_resolves(frozen):
    organisation, (case,) = _renovation(required_offers=2)
    first, second, third = (_pool_flat_in(organisation, street=f"Vej{n}") for n in range(3))

    _refuse(case, first, frozen, 1)
    flags_evaluate(household_ids=[case.household_id])
    assert not Flag.objects.filter(kind=FlagKind.OFFERS_REFUSED).exists()

    _refuse(case, second, frozen, 2)
    flags_evaluate(household_ids=[case.household_id])
    flag = Flag.objects.get(kind=FlagKind.OFFERS_REFUSED, resolved_at__isnull=True)
    assert flag.case_id == case.pk
    assert flag.reason_data == {"refused": 2, "required": 2, "day": "2026-02-04"}
    assert "2" in flag.reason

    offer_make(case=case, pool_flat=third, by=None)
    flags_evaluate(household_ids=[case.household_id])
    flag.refresh_from_db()
    assert flag.resolved_at is not None and flag.resolution


@pytest.mark.django_db
def test_no_flag_when_the_project_requires_no_offers(frozen):
    organisation, (case,) = _renovation(required_offers=0)
    _refuse(case, _pool_flat_in(organisation), frozen, 1)
    flags_evaluate(household_ids=[case.household_id])
    assert not Flag.objects.filter(kind=FlagKind.OFFERS_REFUSED).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("households", [2, 12])
def test_the_refused_offers_rule_is_one_query_whatever_the_number(
    frozen, households, django_assert_num_queries
):
    organisation, cases = _renovation(count=households, required_offers=1)
    for n, case in enumerate(cases):
        _refuse(case, _pool_flat_in(organisation, street=f"Vej{n}"), frozen, 1)

    with django_assert_num_queries(1):
        rows = list(with_offers_refused(Case.objects.all()).values("pk", "refused_count"))
    assert len(rows) == households and all(row["refused_count"] == 1 for row in rows)


@pytest.mark.django_db
def test_the_case_page_proposes_the_next_step_with_links(frozen, client, cast):
    case = cast.case_a1
    Case.objects.filter(pk=case.pk).update(stage=Stage.NOTIFIED)
    case.project.required_offers = 1
    case.project.save(update_fields=["required_offers"])
    organisation = case.project.estate.organisation
    client.force_login(cast.caseworker_a1)
    url = reverse("cases:detail", args=[case.pk])
    assert 'id="after-the-offers"' not in client.get(url).content.decode()

    _refuse(case, _pool_flat_in(organisation), frozen, 1)

    client.force_login(cast.caseworker_a1)  # a day later: a new session
    page = client.get(url).content.decode()
    assert 'id="after-the-offers"' in page
    assert "Intet sker af sig selv" in page
    assert reverse("outreach:sent_letter_new", args=[case.household_id]) in page
    assert reverse("logistics:case", args=[case.pk]) + "#offers" in page

    client.force_login(cast.rehousing_officer_a1)
    page = client.get(url).content.decode()
    assert reverse("logistics:case_flats", args=[case.pk]) in page


@pytest.mark.django_db
def test_the_board_sends_a_flat_in_another_municipality_to_the_agreement(frozen, client, cast):
    case = cast.case_a1
    Case.objects.filter(pk=case.pk).update(stage=Stage.NOTIFIED)
    away = _pool_flat_in(case.project.estate.organisation, _koege())
    client.force_login(cast.rehousing_officer_a1)

    page = client.get(reverse("logistics:board", args=[case.project_id])).content.decode()
    assert "Tilbyd med husstandens indforståelse" in page
    assert reverse("logistics:case_flats", args=[case.pk]) in page

    # Posted anyway (an old page): refused, and nothing is reserved.
    response = client.post(
        reverse("logistics:board_offer", args=[case.project_id]),
        {"case": case.pk, "pool_flat": away.pk},
        follow=True,
    )
    assert "anden kommune" in response.content.decode()
    assert not Offer.objects.filter(case=case).exists()
