"""How to reach a household (issue 18): fields, not free text, edited on the household form and
shown where the caseworker needs them: the case page, the round's card and its printout."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from households.models import GoBetweenKind, Household, ReachChannel, Resident

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_it_saves_how_to_reach_and_shows_it_on_the_case_page_the_round_and_the_print(client, cast):
    household = cast.case_a1.household
    client.force_login(cast.caseworker_a1)
    response = client.post(
        reverse("households:edit", args=[household.pk]),
        {
            "version": household.version,
            "moved_in_on": "",
            "reach_channel": ReachChannel.GO_BETWEEN,
            "reach_time": "Tirsdag formiddag",
            "go_between_kind": GoBetweenKind.HOME_CARE,
            "go_between_name": "Hjemmeplejen, Susanne",
            "go_between_phone": "36 36 36 36",
            "reach_language": "Tyrkisk",
            "reach_interpreter": "on",
            "social_note": household.social_note,
        },
    )
    assert response.status_code == 302, response.content.decode()
    saved = Household.objects.get(pk=household.pk)
    assert (saved.reach_channel, saved.go_between_kind, saved.reach_interpreter) == (
        "go_between",
        "home_care",
        True,
    )
    stairwell = household.flat.stairwell_id
    for url in (
        reverse("cases:detail", args=[cast.case_a1.pk]),
        reverse("outreach:round_stairwell", args=[stairwell]),
        reverse("outreach:round_print", args=[stairwell]),
        reverse("households:detail", args=[household.pk]),
    ):
        body = client.get(url).content.decode()
        for text in (
            "Nås bedst",
            "Gennem mellemmanden, Tirsdag formiddag",
            "Hjemmepleje: Hjemmeplejen, Susanne",
            "36 36 36 36",
            "tyrkisk",  # typed "Tyrkisk": a language's name is lower-case in Danish
            "tolk nødvendig",
        ):
            assert text in body, (url, text)
    case_page = client.get(reverse("cases:detail", args=[cast.case_a1.pk])).content.decode()
    assert 'href="tel:36363636"' in case_page


def test_languages_are_written_lower_case_in_danish_and_as_typed_in_english(client, cast):
    """A resident without a language was shown "Dansk" beside the typed "arabisk" (and a typed
    "Tyrkisk" beside "tyrkisk"): in Danish a language's name is written lower-case. The
    stored text stays as typed, and a name in capitals (an acronym) keeps them."""
    household = cast.case_a1.household
    speaks = {"": "dansk", "Arabisk": "arabisk", "tyrkisk": "tyrkisk", "DTS": "DTS"}
    for index, typed in enumerate(speaks):
        Resident.objects.create(
            household=household, first_name=f"Sprog{index}", last_name="Markørsen", language=typed
        )
    Household.objects.filter(pk=household.pk).update(reach_language="Kurdisk (Sorani)")
    client.force_login(cast.caseworker_a1)

    body = client.get(reverse("households:detail", args=[household.pk])).content.decode()

    cells = re.findall(r'<td data-label="Sprog">([^<]*)', body)
    assert sorted(set(cells)) == sorted(set(speaks.values()))
    assert "<dd>kurdisk (sorani)" in body
    assert Resident.objects.filter(language="Arabisk").exists()

    client.post(reverse("set_language"), {"language": "en"})
    body = client.get(reverse("households:detail", args=[household.pk])).content.decode()
    cells = re.findall(r'<td data-label="Language">([^<]*)', body)
    assert {"Danish", "Arabisk", "tyrkisk", "DTS"} <= set(cells)


def test_a_household_with_nothing_recorded_shows_no_empty_block(client, cast):
    client.force_login(cast.caseworker_a1)
    body = client.get(reverse("cases:detail", args=[cast.case_a1.pk])).content.decode()
    assert "how-to-reach" not in body


@pytest.mark.parametrize(
    ("template", "button"),
    [
        ("cases/case_detail.html", "End the case"),
        ("privacy/resident_erase.html", "Erase for good"),
        ("households/imports/duplicates.html", '"Merge"'),
        ("referrals/consents/consent_withdraw.html", "Yes, withdraw the consent"),
        ("referrals/followup/follow_up_detail.html", "Close the follow-up"),
        ("team/deactivate.html", "Deactivate and hand over"),
    ],
)
def test_every_irreversible_button_asks_first(template, button):
    """The question is static/js/confirm.js's data-confirm (hx-confirm never fired on them)."""
    text = (TEMPLATES / template).read_text()
    line = next(line for line in text.splitlines() if button in line and "<button" in line)
    assert "data-confirm=" in line
    assert "hx-confirm" not in text


def test_the_calendar_page_copies_and_subscribes(client, cast):
    client.force_login(cast.caseworker_a1)
    body = client.post(reverse("outreach:calendar"), {"action": "issue"}).content.decode()
    assert 'data-copy="#calendar-url"' in body and "Kopiér linket" in body
    assert 'href="webcal://testserver/kalender/' in body and "Abonnér i din kalender" in body


def test_every_page_has_a_skip_link(client, cast):
    assert 'class="skip-link"' in client.get(reverse("login")).content.decode()
    client.force_login(cast.caseworker_a1)
    body = client.get(reverse("cases:caseload")).content.decode()
    assert '<a href="#main" class="skip-link">Spring til indholdet</a>' in body
    assert '<main class="container" id="main"' in body
