"""Referral pages: creating one from the household, its page with the status history and the
buttons, the refusal to send without consent (and the way to record it), and access."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from households.models import AccessLog
from referrals.models import Consent, DataCategory, Purpose, Referral, ReferralStatus
from referrals.services import referral_create, referral_transition
from tests import factories
from tests.test_access import assert_no_markers

REASON = "HENVISNING-MARKØR-5522: har brug for hjælp til at pakke"
OUTSIDERS = ["caseworker_a2", "rehousing_officer_a1", "visitator", "caretaker_a1", "manager_b"]


@pytest.fixture
def household(cast):
    return cast.case_a1.household


@pytest.fixture
def referral(cast, partners, household):
    return referral_create(
        household=household,
        partner=partners["visitator"],
        reason=REASON,
        purpose=Purpose.REHOUSING,
        shared=[DataCategory.IDENTITY, DataCategory.HOUSING],
        by=cast.caseworker_a1,
        case=cast.case_a1,
        follow_up_on=timezone.localdate() + timedelta(days=14),
    )


def body_of(response) -> str:
    return response.content.decode()


def test_a_caseworker_creates_a_referral_from_the_household_page(client, cast, partners, household):
    client.force_login(cast.caseworker_a1)
    page = body_of(client.get(reverse("households:detail", args=[household.pk])))
    url = reverse("referrals:referral_create", args=[household.pk])
    assert url in page
    form = client.get(url).context["form"]
    assert form["case"].value() == cast.case_a1.pk  # the open case is chosen
    assert partners["other_org"] not in form.fields["partner"].queryset
    follow_up = timezone.localdate() + timedelta(days=7)
    response = client.post(
        url,
        {
            "partner": partners["home_care"].pk,
            "resident": household.residents.first().pk,
            "case": cast.case_a1.pk,
            "purpose": Purpose.REFERRAL,
            "reason": "Kan ikke selv pakke",
            "shared": [DataCategory.IDENTITY],
            "follow_up_on": follow_up.isoformat(),
        },
    )
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("referrals:referral", args=[referral.pk])
    assert (referral.status, referral.partner, referral.resident, referral.follow_up_on) == (
        ReferralStatus.DRAFT,
        partners["home_care"],
        household.residents.first(),
        follow_up,
    )
    listing = body_of(client.get(reverse("referrals:household_referrals", args=[household.pk])))
    assert "Hjemmeplejen Syd" in listing and follow_up.strftime("%Y") in listing


def test_bad_input_keeps_what_was_written(client, cast, partners, household):
    client.force_login(cast.caseworker_a1)
    response = client.post(
        reverse("referrals:referral_create", args=[household.pk]),
        {"partner": partners["other_org"].pk, "purpose": Purpose.REFERRAL, "reason": "Pakning"},
    )
    assert response.status_code == 400
    assert "partner" in response.context["form"].errors
    assert "Pakning" in body_of(response)
    assert not Referral.objects.exists()


def test_nothing_shared_says_so(client, cast, partners, household):
    referral = referral_create(
        household=household,
        partner=partners["home_care"],
        reason="Spørg om hjælp",
        purpose=Purpose.REFERRAL,
        by=cast.caseworker_a1,
    )
    client.force_login(cast.caseworker_a1)
    response = client.get(reverse("referrals:referral", args=[referral.pk]))
    assert "Intet personhenførbart" in body_of(response)
    assert response.context["check"] is None
    response = client.post(
        reverse("referrals:referral_transition", args=[referral.pk]),
        {"to_status": "sent", "expected_status": "draft"},
    )
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.SENT


def test_the_page_says_why_it_cannot_be_sent_and_offers_the_consent(
    client, cast, partners, household, referral
):
    client.force_login(cast.caseworker_a1)
    url = reverse("referrals:referral", args=[referral.pk])
    page = body_of(client.get(url))
    assert "Henvisningen kan ikke sendes endnu" in page
    assert "Der er intet samtykke til at dele oplysninger med Hvidovre Kommune" in page
    response = client.post(
        reverse("referrals:referral_transition", args=[referral.pk]),
        {"to_status": "sent", "expected_status": "draft"},
        follow=True,
    )
    assert "Henvisningen blev ikke sendt: Der er intet samtykke" in body_of(response)
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.DRAFT

    # The button opens the consent form filled in with the partner, purpose and data.
    consent_url = response.context["consent_url"]
    assert consent_url in body_of(response).replace("&amp;", "&")
    form = client.get(consent_url).context["form"]
    assert form["recipient"].value() == f"p:{partners['visitator'].pk}"
    assert form["purpose"].value() == Purpose.REHOUSING
    assert form["categories"].value() == [DataCategory.IDENTITY, DataCategory.HOUSING]
    saved = client.post(
        consent_url,
        {
            "resident": "",
            "given_by": "Agnete Markørsen",
            "recipient": f"p:{partners['visitator'].pk}",
            "purpose": Purpose.REHOUSING,
            "categories": [DataCategory.IDENTITY, DataCategory.HOUSING],
            "method": "written",
            "given_on": timezone.localdate().isoformat(),
            "next": url,
        },
    )
    assert saved.status_code == 302 and saved.url == url  # back to the referral

    page = body_of(client.get(url))
    assert "kan ikke sendes endnu" not in page
    client.post(
        reverse("referrals:referral_transition", args=[referral.pk]),
        {"to_status": "sent", "expected_status": "draft", "note": "Sendt på mail"},
    )
    sent = Referral.objects.get(pk=referral.pk)
    assert sent.status == ReferralStatus.SENT and sent.consent == Consent.objects.get()
    page = body_of(client.get(url))
    assert reverse("referrals:consent", args=[sent.consent_id]) in page
    assert "Sendt på mail" in page and "Maja Holm" in page  # the history: note and who


def test_a_reason_that_is_a_wrong_purpose_is_named(client, cast, partners, household, referral):
    factories.make_consent(household, cast.caseworker_a1, partner=partners["visitator"])
    client.force_login(cast.caseworker_a1)
    page = body_of(client.get(reverse("referrals:referral", args=[referral.pk])))
    assert "Samtykket gælder et andet formål" in page


def test_every_button_moves_the_referral_and_writes_the_history(client, cast, partners, household):
    referral = referral_create(
        household=household,
        partner=partners["home_care"],
        reason="Hjælp",
        purpose=Purpose.REFERRAL,
        by=cast.caseworker_a1,
    )
    client.force_login(cast.caseworker_a1)
    url = reverse("referrals:referral_transition", args=[referral.pk])
    for old, new in (("draft", "sent"), ("sent", "accepted"), ("accepted", "in_progress")):
        page = body_of(client.get(reverse("referrals:referral", args=[referral.pk])))
        assert f'value="{new}"' in page
        client.post(url, {"to_status": new, "expected_status": old})
    client.post(
        url, {"to_status": "done", "expected_status": "in_progress", "outcome": "Fik hjælp"}
    )
    referral.refresh_from_db()
    assert (referral.status, referral.outcome) == (ReferralStatus.DONE, "Fik hjælp")
    rows = list(referral.events.values_list("from_status", "to_status", "by"))
    assert rows == [
        ("", "draft", cast.caseworker_a1.pk),
        ("draft", "sent", cast.caseworker_a1.pk),
        ("sent", "accepted", cast.caseworker_a1.pk),
        ("accepted", "in_progress", cast.caseworker_a1.pk),
        ("in_progress", "done", cast.caseworker_a1.pk),
    ]
    page = body_of(client.get(reverse("referrals:referral", args=[referral.pk])))
    assert 'name="to_status"' not in page  # finished: no buttons
    response = client.post(url, {"to_status": "sent", "expected_status": "done"}, follow=True)
    assert "kan ikke blive" in body_of(response)


def test_a_status_changed_meanwhile_gives_a_conflict_message(
    client, cast, partners, household, referral
):
    referral_transition(referral=referral, to_status="withdrawn", by=cast.caseworker_a2)
    client.force_login(cast.caseworker_a1)
    response = client.post(
        reverse("referrals:referral_transition", args=[referral.pk]),
        {"to_status": "sent", "expected_status": "draft"},
        follow=True,
    )
    assert "En anden har imens ændret henvisningen til “Trukket tilbage”" in body_of(response)
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.WITHDRAWN


def test_the_referral_page_is_logged_with_the_resident(client, cast, partners, household):
    resident = household.residents.first()
    referral = referral_create(
        household=household,
        partner=partners["home_care"],
        reason="Hjælp",
        purpose=Purpose.REFERRAL,
        resident=resident,
        by=cast.caseworker_a1,
    )
    client.force_login(cast.caseworker_a1)
    client.get(reverse("referrals:referral", args=[referral.pk]))
    entry = AccessLog.objects.get()
    assert (entry.what, entry.household_id, entry.resident_id, entry.user) == (
        "referral",
        household.pk,
        resident.pk,
        cast.caseworker_a1,
    )
    assert "Agnete" not in entry.what and REASON not in entry.path
    client.get(reverse("referrals:household_referrals", args=[household.pk]))
    assert AccessLog.objects.filter(what="referrals of a household").count() == 1


@pytest.mark.parametrize("role", OUTSIDERS)
def test_outsiders_get_nothing_of_a_referral(client, cast, partners, household, referral, role):
    # The visitator acts for the partner, and the referral is sent to it: still nothing on
    # the staff pages (she has her own pages, showing only what consents allow).
    assign_perm("referrals.act_for_partner", cast.visitator, partners["visitator"])
    factories.make_consent(
        household, cast.caseworker_a1, partner=partners["visitator"], purpose=Purpose.REHOUSING
    )
    referral_transition(referral=referral, to_status="sent", by=cast.caseworker_a1)
    client.force_login(getattr(cast, role))
    for url in (
        reverse("referrals:referral", args=[referral.pk]),
        reverse("referrals:household_referrals", args=[household.pk]),
        reverse("referrals:referral_create", args=[household.pk]),
    ):
        response = client.get(url)
        assert response.status_code in (403, 404), (role, url)
        assert REASON not in body_of(response)
        assert_no_markers(body_of(response), ["case_a1"])
    response = client.post(
        reverse("referrals:referral_transition", args=[referral.pk]),
        {"to_status": "accepted", "expected_status": "sent"},
    )
    assert response.status_code in (403, 404)
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.SENT
    assert not AccessLog.objects.exclude(action="denied").exists()  # only the refusal


def test_anonymous_users_go_to_the_login_page(client, household, referral):
    for url in (
        reverse("referrals:referral", args=[referral.pk]),
        reverse("referrals:household_referrals", args=[household.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_reader_sees_but_cannot_move_a_referral(client, cast, household, referral):
    reader = factories.make_user_with_perms(
        "reader",
        cast.case_a1.project.estate,
        "referrals.view_referral",
        "households.view_household",
    )
    client.force_login(reader)
    page = body_of(client.get(reverse("referrals:referral", args=[referral.pk])))
    assert REASON in page and 'name="to_status"' not in page
    assert "Registrér samtykket" not in page
    response = client.post(
        reverse("referrals:referral_transition", args=[referral.pk]),
        {"to_status": "withdrawn", "expected_status": "draft"},
    )
    assert response.status_code == 403
    assert client.get(reverse("referrals:referral_create", args=[household.pk])).status_code == 404


@pytest.mark.parametrize(
    ("name", "method"),
    [("referral", "post"), ("referral_transition", "get"), ("household_referrals", "post")],
)
def test_it_refuses_the_wrong_method(client, cast, household, referral, name, method):
    client.force_login(cast.caseworker_a1)
    pk = household.pk if name == "household_referrals" else referral.pk
    assert getattr(client, method)(reverse(f"referrals:{name}", args=[pk])).status_code == 405


@pytest.mark.parametrize("count", [3, 30])
def test_the_household_referral_list_keeps_its_query_count(
    client, cast, partners, household, django_assert_max_num_queries, count
):
    for index in range(count):
        referral = referral_create(
            household=household,
            partner=partners["home_care" if index % 2 else "jobcenter"],
            reason="Hjælp",
            purpose=Purpose.REFERRAL,
            resident=household.residents.first() if index % 3 == 0 else None,
            by=cast.caseworker_a1,
        )
        if index % 2:
            referral_transition(referral=referral, to_status="sent", by=cast.caseworker_a1)
    client.force_login(cast.caseworker_a1)
    # Session, user, permissions, grants, household, residents, referrals, access log.
    with django_assert_max_num_queries(8):
        response = client.get(reverse("referrals:household_referrals", args=[household.pk]))
    assert body_of(response).count("<tr") == count + 1


@pytest.mark.parametrize("changes", [1, 4])
def test_the_referral_page_keeps_its_query_count(
    client, cast, partners, household, django_assert_max_num_queries, changes
):
    factories.make_consent(household, cast.caseworker_a1, partner=partners["home_care"])
    referral = referral_create(
        household=household,
        partner=partners["home_care"],
        reason="Hjælp",
        purpose=Purpose.REFERRAL,
        shared=[DataCategory.IDENTITY],
        by=cast.caseworker_a1,
    )
    for status in ["sent", "accepted", "in_progress", "done"][: changes - 1]:
        referral_transition(referral=referral, to_status=status, by=cast.caseworker_a2)
    client.force_login(cast.caseworker_a1)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("referrals:referral", args=[referral.pk]))
    assert len(response.context["history"]) == changes
