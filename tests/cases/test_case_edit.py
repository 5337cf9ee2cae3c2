from datetime import date

import pytest
from django.urls import reverse

from cases.models import Case, StageChange
from cases.stages import Stage


def edit_data(case, **changes):
    data = {
        "next_step": case.next_step,
        "next_step_on": "",
        "move_out_on": "",
        "return_on": "",
        "temporary_flat": "",
        "permanent_flat": "",
        "version": case.version,
    }
    data.update(changes)
    return data


def test_it_saves_the_case_and_goes_back_to_it(client, cast):
    client.force_login(cast.caseworker_a1)
    url = reverse("cases:edit", args=[cast.case_a1.pk])
    response = client.post(
        url, edit_data(cast.case_a1, next_step="Ring tirsdag", next_step_on="2026-12-01")
    )
    assert response.status_code == 302
    case = Case.objects.get(pk=cast.case_a1.pk)
    assert (case.next_step, case.next_step_on, case.version, case.updated_by) == (
        "Ring tirsdag",
        date(2026, 12, 1),
        2,
        cast.caseworker_a1,
    )


def test_it_tells_the_second_editor_and_loses_nothing(client, cast):
    """Two people open the same case; the second save does not overwrite the first."""
    url = reverse("cases:edit", args=[cast.case_a1.pk])
    stale = edit_data(cast.case_a1)  # both read version 1

    client.force_login(cast.manager_a)
    first = client.post(url, {**stale, "next_step": "Besøg med tolk"})
    assert first.status_code == 302

    client.force_login(cast.caseworker_a1)
    second = client.post(url, {**stale, "next_step": "Ring til datteren"})
    assert second.status_code == 409
    body = second.content.decode()
    assert "Ring til datteren" in body  # her input is still in the form
    assert "Besøg med tolk" in body  # and she sees what is saved now
    assert Case.objects.get(pk=cast.case_a1.pk).next_step == "Besøg med tolk"

    # Saving again from the conflict page (which carries the new version) works.
    again = second.context["form"].data.copy()
    third = client.post(url, again)
    assert third.status_code == 302
    assert Case.objects.get(pk=cast.case_a1.pk).next_step == "Ring til datteren"


def test_it_explains_bad_input_in_danish_and_keeps_it(client, cast):
    client.force_login(cast.caseworker_a1)
    url = reverse("cases:edit", args=[cast.case_a1.pk])
    response = client.post(
        url, edit_data(cast.case_a1, next_step="Ring", next_step_on="31-02-2026")
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Indtast en gyldig dato" in body
    assert 'value="Ring"' in body
    assert Case.objects.get(pk=cast.case_a1.pk).version == 1


def test_it_refuses_a_temporary_flat_that_someone_lives_in(client, cast):
    client.force_login(cast.caseworker_a1)
    url = reverse("cases:edit", args=[cast.case_a1.pk])
    occupied = cast.case_a2.household.flat_id
    response = client.post(url, edit_data(cast.case_a1, temporary_flat=occupied))
    assert response.status_code == 400
    assert Case.objects.get(pk=cast.case_a1.pk).temporary_flat_id is None


def test_it_moves_the_stage_with_htmx_and_shows_the_new_stage(client, cast):
    client.force_login(cast.caseworker_a1)
    url = reverse("cases:stage", args=[cast.case_a1.pk])
    response = client.post(
        url,
        {"to_stage": Stage.NOTIFIED, "expected_stage": Stage.IDENTIFIED, "note": "Brev afleveret"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="stage-panel"' in body and "<html" not in body
    assert "Varslet" in body and "Brev afleveret" in body
    assert Case.objects.get(pk=cast.case_a1.pk).stage == Stage.NOTIFIED


def test_it_warns_when_two_people_move_the_same_stage(client, cast):
    url = reverse("cases:stage", args=[cast.case_a1.pk])
    data = {"to_stage": Stage.NOTIFIED, "expected_stage": Stage.IDENTIFIED}
    client.force_login(cast.manager_a)
    client.post(url, data, headers={"HX-Request": "true"})
    client.force_login(cast.caseworker_a1)
    response = client.post(url, data, headers={"HX-Request": "true"})
    assert "Nogen anden har flyttet sagen" in response.content.decode()
    assert StageChange.objects.filter(case=cast.case_a1).count() == 2  # opened + one move


def test_it_asks_for_a_reason_to_end_and_keeps_the_case_open(client, cast):
    client.force_login(cast.caseworker_a1)
    url = reverse("cases:stage", args=[cast.case_a1.pk])
    response = client.post(
        url,
        {"to_stage": Stage.ENDED, "expected_stage": Stage.IDENTIFIED},
        headers={"HX-Request": "true"},
    )
    assert "Vælg, hvorfor sagen afsluttes" in response.content.decode()
    assert Case.objects.get(pk=cast.case_a1.pk).stage == Stage.IDENTIFIED


@pytest.mark.parametrize("stage", [Stage.CLOSED])
def test_it_offers_no_edits_on_a_closed_case(client, cast, stage):
    Case.objects.filter(pk=cast.case_a1.pk).update(stage=stage)
    client.force_login(cast.caseworker_a1)
    assert client.get(reverse("cases:edit", args=[cast.case_a1.pk])).status_code == 403
    page = client.get(reverse("cases:detail", args=[cast.case_a1.pk])).content.decode()
    assert "Sagen er lukket" in page


def test_it_offers_only_free_flats_and_keeps_the_chosen_one(cast):
    from cases.selectors import available_flats
    from cases.services import case_update
    from tests import factories

    estate = cast.case_a1.project.estate
    stairwell = factories.make_stairwell(estate, street="Genhusningsvej")
    free, reserved, home_now = (factories.make_flat(stairwell, floor=n) for n in (1, 2, 3))
    other = factories.make_case(cast.case_a1.project)
    case_update(
        case=other, by=None, expected_version=other.version, data={"temporary_flat": reserved}
    )
    moved = factories.make_case(cast.case_a1.project, stage=Stage.CLOSED)
    case_update(
        case=moved, by=None, expected_version=moved.version, data={"permanent_flat": home_now}
    )

    offered = set(available_flats(case=cast.case_a1))
    assert free in offered
    assert reserved not in offered  # another open case's temporary flat
    assert home_now not in offered  # a closed case's household lives there now
    assert cast.case_a1.household.flat not in offered

    case_update(case=cast.case_a1, by=None, expected_version=1, data={"temporary_flat": free})
    cast.case_a1.refresh_from_db()
    assert free in set(available_flats(case=cast.case_a1))  # her own choice stays selectable


def test_its_own_flats_stay_offered_whatever_became_of_them_since(cast):
    """Someone moved into the chosen temporary flat, another case chose the permanent one, and
    their stairwell is being emptied: the case keeps both, and a third flat of the same kind
    is not offered."""
    from django.utils import timezone

    from cases.selectors import destination_flats
    from tests import factories

    project = cast.case_a1.project
    stairwell = factories.make_stairwell(project.estate, street="Beholdvej")
    temporary, permanent, lived_in, chosen, plain = (
        factories.make_flat(stairwell, floor=n) for n in range(5)
    )
    factories.make_schedule(project, stairwell)
    for flat in (temporary, lived_in):
        factories.make_household(flat)
    for flat in (permanent, chosen):
        factories.make_case(project, permanent_flat=flat)
    Case.objects.filter(pk=cast.case_a1.pk).update(
        temporary_flat=temporary, permanent_flat=permanent
    )
    case = Case.objects.select_related("project__estate", "household").get(pk=cast.case_a1.pk)

    offered = set(destination_flats(case=case, today=timezone.localdate()))
    assert {temporary, permanent} <= offered
    assert not {lived_in, chosen, plain} & offered
