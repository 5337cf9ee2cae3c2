"""A manager sets up a project from the app: new project, edit, the reply time for offers, and
the flag thresholds on the same form (outreach's section, cases/planning/sections.py)."""

import re
from datetime import date

import pytest
from django.urls import reverse

from cases.logistics.services import offer_make
from cases.models import Project, ProjectKind
from households.models import Stairwell
from outreach.models import DEFAULT_THRESHOLDS, FlagThresholds
from outreach.scan import project_thresholds
from tests import factories
from tests.cases.test_logistics_offers import _renovation


def _form(estate, stairwells, **overrides) -> dict:
    data = {
        "estate": estate.pk,
        "kind": ProjectKind.MIXED,
        "name": "Helhedsplan Kløvermarken",
        "number": "P-2026-04",
        "lbf_number": "LBF-12345",
        "starts_on": "2026-03-01",
        "ends_on": "2028-06-30",
        "required_offers": "2",
        "reply_days": "14",
        "description": "",
        "stairwells": [stairwell.pk for stairwell in stairwells],
        **{f"thresholds-{name}": str(value) for name, value in DEFAULT_THRESHOLDS.items()},
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_it_creates_a_project_with_its_stairwells(client, cast):
    estate = cast.case_a1.project.estate
    three_a = factories.make_stairwell(estate, street="Kløvermarken", number=3)
    three_b = factories.make_stairwell(estate, street="Kløvermarken", number=5)
    client.force_login(cast.manager_a)

    response = client.post(reverse("cases:project_new"), _form(estate, [three_a, three_b]))

    project = Project.objects.get(number="P-2026-04")
    assert response.status_code == 302
    assert (project.estate, project.kind, project.lbf_number) == (estate, "mixed", "LBF-12345")
    assert set(project.stairwells.all()) == {three_a, three_b}
    assert project.reply_days == 14 and project.expects_return
    assert response.url == reverse("cases:schedule", args=[project.pk])
    page = client.get(reverse("cases:project", args=[project.pk])).content.decode()
    assert "P-2026-04" in page and "LBF-12345" in page


@pytest.mark.django_db
def test_a_project_without_dates_shows_no_empty_period(client, cast):
    """The dates are optional on "Nyt projekt" (the README's walk leaves them out)."""
    estate = cast.case_a1.project.estate
    client.force_login(cast.manager_a)
    client.post(
        reverse("cases:project_new"),
        _form(estate, [], all_stairwells="on", starts_on="", ends_on=""),
    )
    project = Project.objects.get(number="P-2026-04")

    page = client.get(reverse("cases:project", args=[project.pk])).content.decode()

    lead = re.search(r'<p class="lead">(.*?)</p>', page, re.S).group(1)
    assert "?" not in lead and "–" not in lead
    assert project.get_kind_display() in lead


@pytest.mark.django_db
def test_it_can_take_every_stairwell_of_the_estate(client, cast):
    estate = cast.case_a1.project.estate
    factories.make_stairwell(estate, street="Kløvermarken", number=7)
    client.force_login(cast.manager_a)

    client.post(reverse("cases:project_new"), _form(estate, [], all_stairwells="on"))

    project = Project.objects.get(number="P-2026-04")
    assert set(project.stairwells.all()) == set(estate.stairwells.all())


@pytest.mark.django_db
def test_it_refuses_a_stairwell_of_another_estate_and_saves_nothing(client, cast):
    estate = cast.case_a1.project.estate
    other = factories.make_stairwell(cast.case_a2.project.estate, street="Andenvej", number=1)
    client.force_login(cast.manager_a)

    response = client.post(reverse("cases:project_new"), _form(estate, [other]))

    assert response.status_code == 400
    assert "Nordparken" in response.content.decode() or "Andenvej" in response.content.decode()
    assert not Project.objects.filter(number="P-2026-04").exists()


@pytest.mark.django_db
def test_it_refuses_an_estate_of_another_organisation(client, cast):
    foreign = cast.case_b1.project.estate
    client.force_login(cast.manager_a)

    response = client.post(
        reverse("cases:project_new"), _form(foreign, list(foreign.stairwells.all()))
    )

    assert response.status_code == 400
    assert not Project.objects.filter(number="P-2026-04").exists()


@pytest.mark.django_db
def test_a_caseworker_cannot_create_a_project(client, cast):
    estate = cast.case_a1.project.estate
    client.force_login(cast.caseworker_a1)

    response = client.post(reverse("cases:project_new"), _form(estate, []))

    assert response.status_code == 403
    assert not Project.objects.filter(number="P-2026-04").exists()


@pytest.mark.django_db
def test_a_manager_of_another_organisation_gets_404(client, cast):
    project = cast.case_a1.project
    client.force_login(cast.manager_b)

    assert client.get(reverse("cases:project_edit", args=[project.pk])).status_code == 404
    assert client.get(reverse("cases:project", args=[project.pk])).status_code == 404


@pytest.mark.django_db
def test_it_edits_the_project_with_optimistic_locking(client, cast):
    project = cast.case_a1.project
    stairwell = cast.case_a1.household.flat.stairwell
    client.force_login(cast.manager_a)
    url = reverse("cases:project_edit", args=[project.pk])
    data = _form(project.estate, [stairwell], reply_days="21", version=str(project.version))
    del data["estate"]

    assert client.post(url, data).status_code == 302
    project.refresh_from_db()
    assert (project.reply_days, project.number, project.version) == (21, "P-2026-04", 2)

    stale = client.post(url, {**data, "reply_days": "30"})  # the same version again
    assert stale.status_code == 409
    project.refresh_from_db()
    assert project.reply_days == 21


@pytest.mark.django_db
def test_a_stairwell_with_cases_stays_affected(client, cast):
    project = cast.case_a1.project
    stairwell = cast.case_a1.household.flat.stairwell
    project.stairwells.set([stairwell])
    other = factories.make_stairwell(project.estate, street="Kløvermarken", number=9)
    client.force_login(cast.manager_a)
    data = _form(project.estate, [other], version=str(project.version))
    del data["estate"]

    response = client.post(reverse("cases:project_edit", args=[project.pk]), data)

    assert response.status_code == 400
    assert list(project.stairwells.all()) == [stairwell]


@pytest.mark.django_db
def test_an_offer_is_due_after_the_projects_reply_time(cast):
    _organisation, (case,), pool_flat = _renovation()
    Project.objects.filter(pk=case.project_id).update(reply_days=10)
    case.refresh_from_db()

    offer = offer_make(case=case, pool_flat=pool_flat, by=None, sent_on=date(2026, 2, 2))

    assert offer.reply_due_on == date(2026, 2, 12)


@pytest.mark.django_db
def test_the_form_posted_twice_makes_one_project(client, cast):
    estate = cast.case_a1.project.estate
    client.force_login(cast.manager_a)
    data = _form(estate, [], all_stairwells="on", once_key="8a1f9f0e-3c4b-4d8e-9a55-6f0b1c2d3e4f")

    first = client.post(reverse("cases:project_new"), data)
    second = client.post(reverse("cases:project_new"), data)

    project = Project.objects.get(number="P-2026-04")
    assert first.status_code == second.status_code == 302
    assert second.url == reverse("cases:project", args=[project.pk])


@pytest.mark.django_db
def test_the_new_project_form_saves_its_flag_thresholds_with_it(client, cast):
    estate = cast.case_a1.project.estate
    stairwell = factories.make_stairwell(estate, street="Kløvermarken", number=3)
    client.force_login(cast.manager_a)
    form = client.get(reverse("cases:project_new")).content.decode()
    assert 'name="thresholds-no_contact_days"' in form and 'value="30"' in form

    data = _form(estate, [stairwell], **{"thresholds-no_contact_days": "21"})
    response = client.post(reverse("cases:project_new"), data)

    assert response.status_code == 302
    project = Project.objects.get(number="P-2026-04")
    assert project_thresholds(project=project) == {**DEFAULT_THRESHOLDS, "no_contact_days": 21}


@pytest.mark.django_db
def test_a_bad_threshold_saves_nothing_and_keeps_what_was_typed(client, cast):
    estate = cast.case_a1.project.estate
    stairwell = factories.make_stairwell(estate, street="Kløvermarken", number=3)
    client.force_login(cast.manager_a)
    client.cookies["django_language"] = "da"
    data = _form(
        estate,
        [stairwell],
        name="Helhedsplan Nordvest",
        **{"thresholds-missed_meetings": "0", "thresholds-no_contact_days": "21"},
    )

    response = client.post(reverse("cases:project_new"), data)

    body = response.content.decode()
    assert response.status_code == 400
    assert "Skriv et tal, der er mindst 1." in body
    assert 'value="Helhedsplan Nordvest"' in body and 'value="21"' in body
    assert not Project.objects.filter(number="P-2026-04").exists()
    assert not FlagThresholds.objects.exists()


@pytest.mark.django_db
def test_a_bad_project_field_keeps_the_typed_thresholds(client, cast):
    estate = cast.case_a1.project.estate
    client.force_login(cast.manager_a)
    data = _form(estate, [], **{"thresholds-follow_up_days": "9"})  # no stairwell chosen

    response = client.post(reverse("cases:project_new"), data)

    assert response.status_code == 400
    assert 'name="thresholds-follow_up_days" value="9"' in response.content.decode()
    assert not FlagThresholds.objects.exists()


@pytest.mark.django_db
def test_the_edit_form_shows_and_saves_the_thresholds_in_one_save(client, cast):
    project = cast.case_a1.project
    stairwell = cast.case_a1.household.flat.stairwell
    FlagThresholds.objects.create(project=project, packing_window_days=10)
    client.force_login(cast.manager_a)
    url = reverse("cases:project_edit", args=[project.pk])
    assert 'name="thresholds-packing_window_days" value="10"' in client.get(url).content.decode()
    data = _form(
        project.estate,
        [stairwell],
        reply_days="21",
        version=str(project.version),
        **{"thresholds-packing_window_days": "12"},
    )
    del data["estate"]

    assert client.post(url, data).status_code == 302
    project.refresh_from_db()
    assert project.reply_days == 21
    assert project_thresholds(project=project)["packing_window_days"] == 12

    # A stale version saves neither part, and the typed thresholds are still on the page.
    stale = client.post(url, {**data, "thresholds-packing_window_days": "5"})
    assert stale.status_code == 409
    assert 'name="thresholds-packing_window_days" value="5"' in stale.content.decode()
    assert project_thresholds(project=project)["packing_window_days"] == 12


# --- the estate first, then its stairwells ------------------------------------------------------


def _estate_options(body: str) -> set[int]:
    (select,) = re.findall(r'<select name="estate".*?</select>', body, flags=re.DOTALL)
    return {int(pk) for pk in re.findall(r'<option value="(\d+)"', select)}


def _stairwell_boxes(body: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'name="stairwells" value="(\d+)"', body)}


@pytest.mark.django_db
def test_the_new_project_form_shows_the_chosen_estates_stairwells_only(client, cast):
    a1, a2 = cast.case_a1.project.estate, cast.case_a2.project.estate
    client.force_login(cast.manager_a)

    first = client.get(reverse("cases:project_new")).content.decode()
    assert _stairwell_boxes(first) == set()  # two estates: she chooses one first
    assert _estate_options(first) == {a1.pk, a2.pk}  # not organisation B's estate

    chosen = client.get(reverse("cases:project_new"), {"estate": a2.pk, "name": "Nyt tag"})
    body = chosen.content.decode()
    assert _stairwell_boxes(body) == set(a2.stairwells.values_list("pk", flat=True))
    assert 'value="Nyt tag"' in body  # what she typed before choosing (no JavaScript)

    partial = client.get(
        reverse("cases:project_new"), {"estate": a1.pk}, headers={"HX-Request": "true"}
    )
    assert "<html" not in partial.content.decode()
    assert _stairwell_boxes(partial.content.decode()) == {cast.case_a1.household.flat.stairwell_id}


@pytest.mark.django_db
def test_the_new_project_form_refuses_another_organisations_estate(client, cast):
    foreign = cast.case_b1.project.estate
    client.force_login(cast.manager_a)
    client.cookies["django_language"] = "da"

    assert client.get(reverse("cases:project_new"), {"estate": foreign.pk}).status_code == 404
    response = client.post(
        reverse("cases:project_new"), _form(foreign, list(foreign.stairwells.all()))
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert "Du kan ikke starte et projekt i den afdeling." in body
    assert "Fjernvej" not in body and "Fjordbo" not in body
    assert not Project.objects.filter(number="P-2026-04").exists()


@pytest.mark.django_db
def test_a_stairwell_of_another_estate_is_refused_in_danish(client, cast):
    estate = cast.case_a1.project.estate
    mine = factories.make_stairwell(estate, street="Kløvermarken", number=3)
    other = cast.case_a2.household.flat.stairwell
    client.force_login(cast.manager_a)
    client.cookies["django_language"] = "da"

    response = client.post(reverse("cases:project_new"), _form(estate, [mine, other]))

    body = response.content.decode()
    assert response.status_code == 400
    assert "En valgt opgang ligger ikke i den valgte afdeling" in body
    assert _stairwell_boxes(body) == set(estate.stairwells.values_list("pk", flat=True))
    assert not Project.objects.filter(number="P-2026-04").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("count", [10, 300])
def test_the_new_project_forms_queries_and_size_do_not_grow_with_other_estates(
    client, cast, django_assert_max_num_queries, count
):
    a1, a2 = cast.case_a1.project.estate, cast.case_a2.project.estate
    Stairwell.objects.bulk_create(
        Stairwell(estate=estate, street="Aavej", number=n, postcode=postcode, city="Hvidovre")
        for estate, postcode in ((a1, "2650"), (a2, "2651"))
        for n in range(1, count + 1)
    )
    client.force_login(cast.manager_a)
    client.get(reverse("cases:project_new"))  # the session, her grants

    with django_assert_max_num_queries(8):
        first = client.get(reverse("cases:project_new"))
    with django_assert_max_num_queries(8):
        chosen = client.get(reverse("cases:project_new"), {"estate": a1.pk})
    assert len(first.content) < 20_000
    assert len(_stairwell_boxes(chosen.content.decode())) == count + 1
    assert len(chosen.content) < 20_000 + 100 * count  # one estate's boxes, not both's
