"""The waterbed monitoring: where households move permanently, counted in one place; the page
and its PDF per organisation; the warning wherever a permanent destination is chosen; and a
permanent move that cannot lose its destination."""

import io
import re
from datetime import date, datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from cases.logistics.models import Move, MoveKind, MoveStatus, Offer, OfferStatus
from cases.logistics.services import offer_make
from cases.logistics.waterbed import waterbed_counts, waterbed_report
from cases.models import Case, StageChange
from cases.services import case_advance_stage, case_update
from cases.stages import Stage
from households.models import AccessLog, Estate, Organisation, VulnerabilityLevel
from tests import factories
from tests.conftest import MARKERS

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 10)
PARTICULARLY, LESS = VulnerabilityLevel.PARTICULARLY, VulnerabilityLevel.LESS
NEW_HOME_NAME = "Nyhjem Markørsdottir"


@pytest.fixture(autouse=True)
def _frozen_in_english():
    noon = datetime(2026, 11, 10, 12, tzinfo=timezone.get_current_timezone())
    with time_machine.travel(noon), translation.override("en"):
        yield


@pytest.fixture
def client(client, settings):
    """Pages in English, the language of the msgids (one test asks for Danish)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _moved(project, estate: Estate, level: str, on: date | None, *, by_move: date | None = None):
    """A household of `project` whose new home is in `estate`: moved on `on` (the stage change)
    or, with `by_move`, on the day of its done move; not yet moved when both are None."""
    flat = factories.make_flat(factories.make_stairwell(estate, street="Nyvej"))
    household = factories.make_household(
        factories.make_flat(factories.make_stairwell(project.estate, street="Gammelvej")),
        NEW_HOME_NAME,
    )
    stage = Stage.FOLLOW_UP if on or by_move else Stage.PACKING
    case = factories.make_case(project, household, stage=stage, permanent_flat=flat)
    factories.assess(case.household, level)
    if on:
        moment = datetime(on.year, on.month, on.day, 10, tzinfo=timezone.get_current_timezone())
        StageChange.objects.create(
            case=case, from_stage=Stage.PACKING, to_stage=Stage.MOVED_PERMANENTLY, changed_at=moment
        )
    if by_move:
        Move.objects.create(
            case=case,
            kind=MoveKind.TO_PERMANENT,
            from_flat=household.flat,
            to_flat=flat,
            moves_on=by_move,
            status=MoveStatus.DONE,
        )
    return case


def _estate(organisation, name: str, area: str) -> Estate:
    estate = factories.make_estate(organisation, name)
    Estate.objects.filter(pk=estate.pk).update(area=area)
    estate.area = area
    return estate


@pytest.fixture
def areas(cast):
    """Organisation A (threshold 2) has moved households of Nordparken to Avedøre and Friheden.

    Avedøre: 2 vulnerable landed (Q2, Q3 2026), 1 less vulnerable landed (Q3), 1 vulnerable on
    its way: 3 of 2, over. Friheden: 1 vulnerable (Q3, by its move), 1 ended (not counted):
    1 of 2, under.
    """
    organisation = Organisation.objects.get(name="Boligselskabet A")
    organisation.waterbed_threshold = 2
    organisation.save()
    avedore = _estate(organisation, "Søhusene", "Avedøre")
    friheden = _estate(organisation, "Rosenhaven", "Friheden")
    project = cast.case_a2.project
    _moved(project, avedore, PARTICULARLY, date(2026, 5, 3))
    _moved(project, avedore, PARTICULARLY, date(2026, 8, 20))
    _moved(project, avedore, LESS, date(2026, 9, 1))
    _moved(project, avedore, PARTICULARLY, None)
    # The done move's day counts, not the day the stage was changed.
    _moved(project, friheden, PARTICULARLY, date(2026, 10, 2), by_move=date(2026, 9, 28))
    ended = _moved(project, friheden, PARTICULARLY, date(2026, 7, 1))
    Case.objects.filter(pk=ended.pk).update(stage=Stage.ENDED, end_reason="left_on_own")
    return organisation, avedore, friheden


def _waterbed(organisation) -> str:
    return reverse("logistics:waterbed", args=[organisation.pk])


# --- The counts ---------------------------------------------------------------------------


def test_it_counts_vulnerable_households_per_area_the_same_everywhere(areas, cast):
    organisation, *_estates = areas
    # An area that received only households not particularly vulnerable is not listed.
    hvidovre = _estate(organisation, "Strandmarken", "Hvidovre")
    _moved(cast.case_a2.project, hvidovre, LESS, None)

    assert waterbed_counts(organisation_id=organisation.pk) == {"Avedøre": 3, "Friheden": 1}


def test_it_counts_all_and_vulnerable_households_per_quarter(areas):
    organisation, *_estates = areas

    report = waterbed_report(organisation=organisation, today=TODAY)

    assert report.quarters == [date(2026, 4, 1), date(2026, 7, 1), date(2026, 10, 1)]
    avedore, friheden = report.areas
    assert avedore.area == "Avedøre"
    assert [(p.households, p.vulnerable) for p in avedore.periods] == [(1, 1), (2, 1), (0, 0)]
    assert [p.vulnerable_so_far for p in avedore.periods] == [1, 2, 2]
    assert [p.households_so_far for p in avedore.periods] == [1, 3, 3]
    assert (avedore.landed, avedore.landed_vulnerable) == (3, 2)
    assert (avedore.on_the_way, avedore.on_the_way_vulnerable) == (1, 1)
    assert friheden.area == "Friheden"
    assert [(p.households, p.vulnerable) for p in friheden.periods] == [(0, 0), (1, 1), (0, 0)]


def test_it_marks_areas_at_and_over_the_threshold(areas):
    organisation, *_estates = areas

    avedore, friheden = waterbed_report(organisation=organisation, today=TODAY).areas
    assert (avedore.vulnerable, avedore.status) == (3, "over")
    assert (friheden.vulnerable, friheden.status) == (1, "under")

    organisation.waterbed_threshold = 3
    avedore, friheden = waterbed_report(organisation=organisation, today=TODAY).areas
    assert avedore.status == "at"


# --- The page and the PDF ------------------------------------------------------------------


def test_the_page_shows_the_numbers_against_the_threshold_without_names(client, cast, areas):
    organisation, *_estates = areas
    for user in (cast.manager_a, cast.caseworker_a1):
        client.force_login(user)
        response = client.get(_waterbed(organisation))

        assert response.status_code == 200
        body = response.content.decode()
        assert "Avedøre" in body and "Friheden" in body
        assert "<strong>3</strong> / 2" in body
        assert "▲ Over the threshold" in body  # marked in words, not by colour alone
        # htmx, confirm.js, htmx-errors.js; the chart: none
        assert "<svg" in body and body.count("<script") == 3
        assert NEW_HOME_NAME not in body and "Nyvej" not in body
        for markers in MARKERS.values():
            assert not any(marker in body for marker in markers)


def test_it_draws_each_area_accessible_in_black_and_white_with_its_name_escaped(
    client, cast, areas
):
    organisation, avedore, _friheden = areas
    Estate.objects.filter(pk=avedore.pk).update(area='Ås <b>"Nord"</b> & Co')
    client.force_login(cast.manager_a)

    body = client.get(_waterbed(organisation)).content.decode()

    charts = re.findall(r"<svg.*?</svg>", body, re.S)
    assert len(charts) == 2  # one per area, the one over the threshold first
    name = "Ås &lt;b&gt;&quot;Nord&quot;&lt;/b&gt; &amp; Co: particularly vulnerable households"
    assert f'aria-label="{name}' in charts[0] and f"<title>{name}" in charts[0]
    assert '<b>"Nord"</b>' not in body
    for chart in charts:
        assert 'role="img"' in chart and "<title>" in chart
        assert " style=" not in chart  # the CSP allows no inline style
        assert 'stroke-dasharray="6 4"' in chart and ">limit 2</text>" in chart  # the threshold
    assert 'stroke-dasharray="3 2"' in charts[0] and ">2+1</text>" in charts[0]  # on its way


def test_it_draws_no_chart_for_an_area_whose_households_are_all_on_their_way(client, cast):
    organisation = Organisation.objects.get(name="Boligselskabet A")
    avedore = _estate(organisation, "Søhusene", "Avedøre")
    _moved(cast.case_a2.project, avedore, PARTICULARLY, None)
    client.force_login(cast.manager_a)

    body = client.get(_waterbed(organisation)).content.decode()

    assert "<strong>Avedøre</strong>" in body  # the area and its numbers, but no quarter yet
    assert "<svg" not in body


def test_the_page_is_for_social_staff_of_the_organisation(client, cast, areas):
    organisation, *_estates = areas
    url = _waterbed(organisation)
    assert client.get(url).status_code == 302  # to the login
    for user in (cast.manager_b, cast.caseworker_b1, cast.visitator, cast.caretaker_a1):
        client.force_login(user)
        for page in (url, reverse("logistics:waterbed_pdf", args=[organisation.pk])):
            response = client.get(page)
            assert response.status_code == 404, user
            assert b"Avede" not in response.content and "Avedøre".encode() not in response.content
    # The rehousing officer sees no vulnerability, so no count of it either.
    client.force_login(cast.rehousing_officer_a1)
    assert client.get(url).status_code == 403
    client.force_login(cast.manager_a)
    assert client.post(url).status_code == 405
    assert client.get(reverse("logistics:waterbed", args=[999999])).status_code == 404


def test_the_pdf_has_the_numbers_and_no_names(client, cast, areas):
    organisation, *_estates = areas
    client.force_login(cast.manager_a)

    response = client.get(reverse("logistics:waterbed_pdf", args=[organisation.pk]))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert 1 <= len(reader.pages) <= 2
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Avedøre" in text and "Friheden" in text and "Boligselskabet A" in text
    assert "3 / 2" in text and "1 / 2" in text
    assert "Over the threshold" in text
    assert "Page 1 of" in text
    assert NEW_HOME_NAME not in text and "Nyvej" not in text
    for markers in MARKERS.values():
        assert not any(marker in text for marker in markers)
    assert AccessLog.objects.filter(user_id=cast.manager_a.pk, action="export").exists()


@pytest.mark.parametrize("households", [3, 30])
def test_the_page_costs_the_same_queries_for_few_and_many(
    client, cast, areas, households, django_assert_max_num_queries
):
    organisation, avedore, _friheden = areas
    for index in range(households):
        _moved(cast.case_a2.project, avedore, PARTICULARLY, date(2026, 1 + index % 10, 5))
    client.force_login(cast.manager_a)
    with django_assert_max_num_queries(8):
        response = client.get(_waterbed(organisation))
    assert response.status_code == 200


# --- The warning where a permanent destination is chosen ------------------------------------


def _warnings(response) -> list[str]:
    return [str(m) for m in response.context["messages"] if m.level_tag == "warning"]


def test_the_case_form_marks_full_areas_and_warns_on_saving(client, cast, areas):
    _organisation, avedore, friheden = areas
    case = cast.case_a2
    full = factories.make_flat(factories.make_stairwell(avedore, street="Fuldvej"))
    fine = factories.make_flat(factories.make_stairwell(friheden, street="Frivej"))
    client.force_login(cast.caseworker_a2)
    url = reverse("cases:edit", args=[case.pk])

    form = client.get(url).content.decode()
    assert "Fuldvej" in form and "waterbed: Avedøre has reached the threshold" in form

    data = {"next_step": "", "version": case.version, "permanent_flat": full.pk}
    response = client.post(url, data, follow=True)
    assert Case.objects.get(pk=case.pk).permanent_flat == full  # a warning, not a refusal
    assert _warnings(response) == [
        "Waterbed: 3 particularly vulnerable households already rehoused in Avedøre (limit 2)"
    ]
    case.refresh_from_db()
    data = {"next_step": "", "version": case.version, "permanent_flat": fine.pk}
    assert _warnings(client.post(url, data, follow=True)) == []


def test_the_case_form_warns_in_danish(client, cast, areas, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "da"
    _organisation, avedore, _friheden = areas
    full = factories.make_flat(factories.make_stairwell(avedore, street="Fuldvej"))
    client.force_login(cast.caseworker_a2)
    data = {"version": cast.case_a2.version, "permanent_flat": full.pk}
    response = client.post(reverse("cases:edit", args=[cast.case_a2.pk]), data, follow=True)
    assert any("Vandseng" in w and "Avedøre" in w for w in _warnings(response))


def test_offering_and_accepting_a_flat_in_a_full_area_warns(client, cast, areas):
    organisation, avedore, _friheden = areas
    case = cast.case_a2
    pool_flat = factories.make_pool_flat(
        organisation,
        factories.make_flat(factories.make_stairwell(avedore, street="Fuldvej")),
        available_from=date(2020, 1, 1),
    )
    client.force_login(cast.manager_a)
    expected = [
        "Waterbed: 3 particularly vulnerable households already rehoused in Avedøre (limit 2)"
    ]

    response = client.post(
        reverse("logistics:case_offer", args=[case.pk]),
        {"pool_flat": pool_flat.pk, "sent_via": "letter"},
        follow=True,
    )
    assert Offer.objects.filter(case=case).exists() and _warnings(response) == expected

    offer = Offer.objects.get(case=case)
    response = client.post(
        reverse("logistics:offer_reply", args=[offer.pk]), {"status": "accepted"}, follow=True
    )
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED and _warnings(response) == expected

    # The case's rehousing page says it too.
    page = client.get(reverse("logistics:case", args=[case.pk])).content.decode()
    assert "already rehoused in Avedøre" in page


def test_offering_from_the_board_warns(client, cast, areas):
    organisation, avedore, _friheden = areas
    pool_flat = factories.make_pool_flat(
        organisation,
        factories.make_flat(factories.make_stairwell(avedore, street="Fuldvej")),
        available_from=date(2020, 1, 1),
    )
    client.force_login(cast.manager_a)
    response = client.post(
        reverse("logistics:board_offer", args=[cast.case_a2.project_id]),
        {"case": cast.case_a2.pk, "pool_flat": pool_flat.pk},
        follow=True,
    )
    assert Offer.objects.filter(case=cast.case_a2).exists()
    assert any("Avedøre" in w for w in _warnings(response))


def test_below_the_threshold_nothing_is_warned(client, cast, areas):
    organisation, _avedore, friheden = areas
    pool_flat = factories.make_pool_flat(
        organisation,
        factories.make_flat(factories.make_stairwell(friheden, street="Frivej")),
        available_from=date(2020, 1, 1),
    )
    client.force_login(cast.manager_a)
    response = client.post(
        reverse("logistics:case_offer", args=[cast.case_a2.pk]),
        {"pool_flat": pool_flat.pk, "sent_via": "letter"},
        follow=True,
    )
    assert Offer.objects.filter(case=cast.case_a2).exists() and _warnings(response) == []


# --- A permanent move keeps its destination ------------------------------------------------


def test_a_case_cannot_move_permanently_without_its_new_home(cast):
    case = cast.case_a2
    for stage in (Stage.NOTIFIED, Stage.PACKING):
        case = case_advance_stage(case=case, to_stage=stage, by=None)

    with pytest.raises(ValidationError, match="Record the new home"):
        case_advance_stage(case=case, to_stage=Stage.MOVED_PERMANENTLY, by=None)
    assert Case.objects.get(pk=case.pk).stage == Stage.PACKING


def test_the_new_home_of_a_moved_household_cannot_be_cleared(client, cast, areas):
    _organisation, avedore, _friheden = areas
    case = _moved(cast.case_a2.project, avedore, LESS, date(2026, 9, 1))

    with pytest.raises(ValidationError):
        case_update(
            case=case, by=None, expected_version=case.version, data={"permanent_flat": None}
        )

    client.force_login(cast.manager_a)
    response = client.post(
        reverse("cases:edit", args=[case.pk]), {"version": case.version, "permanent_flat": ""}
    )
    assert response.status_code == 400
    assert "choose its new home" in response.content.decode()
    assert Case.objects.get(pk=case.pk).permanent_flat_id is not None


def test_an_accepted_new_home_cannot_be_withdrawn_after_the_move(cast, areas):
    organisation, avedore, _friheden = areas
    case = cast.case_a2
    pool_flat = factories.make_pool_flat(
        organisation,
        factories.make_flat(factories.make_stairwell(avedore)),
        available_from=date(2020, 1, 1),
    )
    from cases.logistics.services import offer_reply

    offer = offer_make(case=case, pool_flat=pool_flat, by=None)
    offer_reply(offer=offer, status=OfferStatus.ACCEPTED, by=None)
    Case.objects.filter(pk=case.pk).update(stage=Stage.FOLLOW_UP)

    with pytest.raises(ValidationError, match="moved into"):
        offer_reply(offer=offer, status=OfferStatus.WITHDRAWN, by=None)
    assert Case.objects.get(pk=case.pk).permanent_flat == pool_flat.flat


def test_a_moved_household_without_a_destination_is_flagged(client, cast, areas):
    organisation, *_estates = areas
    Case.objects.filter(pk=cast.case_a2.pk).update(stage=Stage.MOVED_PERMANENTLY)

    assert waterbed_report(organisation=organisation, today=TODAY).without_destination == 1
    client.force_login(cast.manager_a)
    body = client.get(_waterbed(organisation)).content.decode()
    assert "1 household has moved permanently without a recorded new home" in body
    detail = client.get(reverse("cases:detail", args=[cast.case_a2.pk])).content.decode()
    assert "Missing: the household has moved permanently" in detail
