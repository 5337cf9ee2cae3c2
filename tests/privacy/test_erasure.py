"""Erasure of one resident on request (art. 17): every trace goes, one audit row stays."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from guardian.models import UserObjectPermission
from guardian.shortcuts import assign_perm
from guardian.utils import clean_orphan_obj_perms

from cases.models import Case, CaseUserObjectPermission
from households.models import AccessAction, AccessLog, Household, Resident
from outreach.models import Channel, Contact, Outcome
from privacy.services import resident_erase
from referrals.models import Consent
from tests import factories
from tests.conftest import MARKERS
from tests.privacy.conftest import FIRST_MARKERS, rows_containing
from tests.referrals.test_visitator_leaks import A, all_markers

# Planted in data of the project or the estate, not of the household: they stay.
NOT_THE_HOUSEHOLDS = {f"{A}-MEETING-TOPIC", f"{A}-CAFE-PLACE", f"{A}-COMMUNITY-TOPIC"}
NOT_THE_HOUSEHOLDS |= {f"{A}midlertidigvej"}  # the temporary flat's street: the estate's


def erase_url(subject, pk):
    return reverse("privacy:resident_erase", args=[subject.household_id, pk])


def test_it_erases_every_trace_of_one_resident_and_keeps_the_household(
    client, cast, subject, django_capture_on_commit_callbacks
):
    assert rows_containing(FIRST_MARKERS)  # planted: the scan finds them
    assert Consent._meta.get_field("evidence").storage.exists(subject.evidence_name)
    client.force_login(cast.manager_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            erase_url(subject, subject.first_id),
            {"reason": "Anmodning pr. brev 3. marts", "confirm": "on"},
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("households:detail", args=[subject.household_id])
    assert rows_containing(FIRST_MARKERS) == {}
    assert not Consent._meta.get_field("evidence").storage.exists(subject.evidence_name)
    assert not Resident.objects.filter(pk=subject.first_id).exists()
    assert Resident.objects.filter(pk=subject.second_id).exists()
    contact = Contact.objects.get(pk=subject.naming_contact.pk)
    assert contact.met == "[slettet] og datteren"
    assert contact.note == "Ring til [slettet] på [slettet] eller skriv til [slettet]"
    # the household's own data stays: the other resident's and the social note
    assert Household.objects.get(pk=subject.household_id).social_note == f"{A}-SOCIAL-NOTE"
    entry = AccessLog.objects.get(action=AccessAction.ERASE)
    assert (entry.household_id, entry.resident_id) == (subject.household_id, subject.first_id)
    assert entry.username == "manager_a" and "Anmodning pr. brev 3. marts" in entry.what
    assert entry.what.startswith("Slettet efter anmodning: ")
    assert "Mka" not in entry.what and "Mka" not in entry.path


def test_the_last_resident_takes_the_household_and_its_cases_with_her(
    client, cast, subject, django_capture_on_commit_callbacks
):
    case = cast.case_a1
    # a generic guardian row too, as if someone had granted on the household outside the app
    UserObjectPermission.objects.create(
        user=cast.caseworker_a2,
        content_type=ContentType.objects.get_for_model(Household),
        object_pk=str(subject.household_id),
        permission=Permission.objects.get(codename="view_household"),
    )
    assign_perm("cases.view_case", cast.caseworker_a2, case)
    resident_erase(resident=Resident.objects.get(pk=subject.second_id), by=cast.manager_a)
    client.force_login(cast.manager_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            erase_url(subject, subject.first_id), {"reason": "Anmodning", "confirm": "on"}
        )
    assert response.status_code == 302
    assert not Household.objects.filter(pk=subject.household_id).exists()
    assert not Case.objects.filter(pk=case.pk).exists()
    assert not CaseUserObjectPermission.objects.filter(content_object_id=case.pk).exists()
    assert clean_orphan_obj_perms() == 0
    markers = (all_markers(A) - NOT_THE_HOUSEHOLDS) | set(MARKERS["case_a1"][:2])
    assert rows_containing(markers) == {}
    assert not Consent._meta.get_field("evidence").storage.exists(subject.evidence_name)
    # the flat is the estate's and stays; the other cases are untouched
    assert Case.objects.filter(pk=cast.case_a2.pk).exists()
    assert AccessLog.objects.filter(action=AccessAction.ERASE).count() == 1


def test_the_confirm_page_says_what_goes_and_requires_a_reason(client, cast, subject):
    client.force_login(cast.manager_a)
    url = erase_url(subject, subject.first_id)
    body = client.get(url).content.decode()
    assert "Mkafornavn Mkaefternavn" in body and "kan ikke fortrydes" in body
    response = client.post(url, {"reason": "", "confirm": "on"})
    assert response.status_code == 200 and "Dette felt er påkrævet" in response.content.decode()
    response = client.post(url, {"reason": "Mkafornavn ringede", "confirm": "on"})
    assert "udelad beboerens navn" in response.content.decode()
    response = client.post(url, {"reason": "Anmodning"})
    assert "Sæt kryds" in response.content.decode()
    assert Resident.objects.filter(pk=subject.first_id).exists()


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("caseworker_a1", 403),
        ("rehousing_officer_a1", 403),
        ("bridge_builder_a", 404),
        ("manager_b", 404),
        ("caseworker_b1", 404),
        ("visitator", 404),
        ("caretaker_a1", 404),
    ],
)
def test_only_the_manager_who_sees_the_household_may_erase(client, cast, subject, role, expected):
    client.force_login(getattr(cast, role))
    url = erase_url(subject, subject.first_id)
    for response in (client.get(url), client.post(url, {"reason": "x", "confirm": "on"})):
        assert response.status_code == expected
        assert "Mkafornavn" not in response.content.decode()
    assert Resident.objects.filter(pk=subject.first_id).exists()


def test_it_sends_anonymous_users_to_login_and_refuses_put(client, cast, subject):
    url = erase_url(subject, subject.first_id)
    assert client.get(url).status_code == 302
    client.force_login(cast.manager_a)
    assert client.put(url).status_code == 405
    other = reverse("privacy:resident_erase", args=[cast.case_a2.household_id, subject.first_id])
    assert client.get(other).status_code == 404  # a resident of another household


def test_it_erases_her_and_only_her_in_a_household_sharing_a_surname(cast):
    """Three Hansens: erasing Pia leaves Jens and Ole their names, in their rows and the text."""
    household = factories.make_household(
        factories.make_flat(factories.make_stairwell(cast.case_a1.project.estate, "Delvej")),
        "Pia Hansen",
        "Jens Hansen",
        "Ole Hansen",
        social_note="Familien Hansen: Pia Hansen er syg, Jens Hansen passer hende",
    )
    pia = household.residents.get(first_name="Pia")
    Resident.objects.filter(pk=pia.pk).update(phone="20304050", email="pia@example.org")
    pia.refresh_from_db()
    case = factories.make_case(cast.case_a1.project, household, next_step="Ring til Pia")
    contact = Contact.objects.create(
        household=household,
        case=case,
        staff=cast.caseworker_a1,
        channel=Channel.PHONE,
        outcome=Outcome.TALKED,
        met="Pia og Jens Hansen",
        note="Hansen, Pia vil tale med Ole Hansen først; ring 20304050 eller PIA@example.org",
    )

    resident_erase(resident=pia, by=cast.manager_a)

    names = sorted(household.residents.values_list("first_name", "last_name"))
    assert names == [("Jens", "Hansen"), ("Ole", "Hansen")]
    household.refresh_from_db()
    assert household.social_note == "Familien Hansen: [slettet] er syg, Jens Hansen passer hende"
    assert household.display_name() == "Jens Hansen (+1)"
    contact.refresh_from_db()
    assert contact.met == "[slettet] og Jens Hansen"
    assert contact.note == "[slettet] vil tale med Ole Hansen først; ring [slettet] eller [slettet]"
    case.refresh_from_db()
    assert case.next_step == "Ring til [slettet]"
