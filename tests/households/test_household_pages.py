from django.urls import reverse

from households.models import Household, Resident, VulnerabilityAssessment


def test_it_saves_the_social_note_with_optimistic_locking(client, cast):
    household = cast.case_a1.household
    url = reverse("households:edit", args=[household.pk])
    stale = {"moved_in_on": "", "social_note": household.social_note, "version": household.version}

    client.force_login(cast.manager_a)
    assert client.post(url, {**stale, "social_note": "Datteren hjælper"}).status_code == 302
    client.force_login(cast.caseworker_a1)
    response = client.post(url, {**stale, "social_note": "Vil gerne have besøg om formiddagen"})
    assert response.status_code == 409
    assert "Vil gerne have besøg om formiddagen" in response.content.decode()
    assert Household.objects.get(pk=household.pk).social_note == "Datteren hjælper"


def test_it_adds_a_resident_and_makes_a_single_contact_person(client, cast):
    household = cast.case_a1.household
    client.force_login(cast.rehousing_officer_a1)
    response = client.post(
        reverse("households:resident_add", args=[household.pk]),
        {
            "first_name": "Poul",
            "last_name": "Markørsen",
            "birth_year": "1946",
            "phone": "20304050",
            "is_contact_person": "on",
            "digital": "",
            "language": "",
        },
    )
    assert response.status_code == 302
    contacts = Resident.objects.filter(household=household, is_contact_person=True)
    assert [r.first_name for r in contacts] == ["Poul"]


def test_it_explains_a_bad_birth_year(client, cast):
    household = cast.case_a1.household
    client.force_login(cast.caseworker_a1)
    response = client.post(
        reverse("households:resident_add", args=[household.pk]),
        {"first_name": "Poul", "last_name": "Hansen", "birth_year": "46"},
    )
    assert response.status_code == 400
    assert "Skriv årstallet med fire cifre" in response.content.decode()
    assert not Resident.objects.filter(first_name="Poul").exists()


def test_it_records_a_new_assessment_and_keeps_the_old(client, cast):
    household = cast.case_a1.household
    client.force_login(cast.caseworker_a1)
    response = client.post(
        reverse("households:assess", args=[household.pk]),
        {
            "level": "less",
            "factors": ["elderly", "not_digital"],
            "note": "Klarer sig med hjælp fra nabo",
        },
    )
    assert response.status_code == 302
    assessments = VulnerabilityAssessment.objects.filter(household=household)
    assert assessments.count() == 2
    latest = assessments.first()
    assert (latest.level, latest.factors, latest.assessed_by) == (
        "less",
        ["elderly", "not_digital"],
        cast.caseworker_a1,
    )


def test_it_needs_a_factor_for_a_vulnerable_household(client, cast):
    client.force_login(cast.caseworker_a1)
    response = client.post(
        reverse("households:assess", args=[cast.case_a1.household_id]), {"level": "particularly"}
    )
    assert response.status_code == 400
    assert "Vælg mindst én faktor" in response.content.decode()
