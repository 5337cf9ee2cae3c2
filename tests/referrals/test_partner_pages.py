"""The register of partners: staff read their organisation's register; its managers add and
edit partners; a partner edited meanwhile is not overwritten."""

import pytest
from django.urls import reverse

from referrals.models import Partner, PartnerKind
from referrals.services import partner_fingerprint, partner_save
from tests import factories


def edit_data(partner, **fields):
    data = {
        "organisation": partner.organisation_id,
        "name": partner.name,
        "kind": partner.kind,
        "municipality": partner.municipality_id or "",
        "area": partner.area,
        "contact_name": partner.contact_name,
        "phone": partner.phone,
        "email": partner.email,
        "note": partner.note,
        "active": "on" if partner.active else "",
        "fingerprint": partner_fingerprint(partner),
    }
    data.update(fields)
    return data


@pytest.mark.parametrize("role", ["caseworker_a1", "rehousing_officer_a1", "manager_a"])
def test_staff_see_their_organisations_register_only(client, cast, partners, role):
    client.force_login(getattr(cast, role))
    response = client.get(reverse("referrals:partners"))
    if role == "rehousing_officer_a1":
        assert response.status_code == 403  # no referrals for her
        return
    body = response.content.decode()
    assert "Hjemmeplejen Syd" in body and "Hvidovre Kommune, visitationen" in body
    assert "Køge Hjemmepleje" not in body
    can_edit = reverse("referrals:partner_edit", args=[partners["home_care"].pk]) in body
    assert can_edit == (role == "manager_a")
    assert (reverse("referrals:partner_create") in body) == (role == "manager_a")


def test_the_list_filters_by_kind(client, cast, partners):
    client.force_login(cast.caseworker_a1)
    body = client.get(reverse("referrals:partners"), {"kind": "jobcenter"}).content.decode()
    assert "Jobcenter Hvidovre" in body and "Hjemmeplejen Syd" not in body


@pytest.mark.parametrize("role", ["visitator", "caretaker_a1"])
def test_roles_without_the_register_are_refused(client, cast, partners, role):
    client.force_login(getattr(cast, role))
    for url in (
        reverse("referrals:partners"),
        reverse("referrals:partner_create"),
        reverse("referrals:partner_edit", args=[partners["home_care"].pk]),
    ):
        response = client.get(url)
        assert response.status_code in (403, 404), url
        assert "Hjemmeplejen Syd" not in response.content.decode()


def test_anonymous_users_go_to_the_login_page(client, partners):
    response = client.get(reverse("referrals:partners"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_manager_adds_a_partner(client, cast, partners):
    client.force_login(cast.manager_a)
    response = client.post(
        reverse("referrals:partner_create"),
        {
            "organisation": cast.case_a1.project.estate.organisation_id,
            "name": "Bostøtten Syd",
            "kind": PartnerKind.HOUSING_SUPPORT,
            "area": "Syd",
            "active": "on",
        },
    )
    assert response.status_code == 302
    partner = Partner.objects.get(name="Bostøtten Syd")
    assert partner.organisation == cast.case_a1.project.estate.organisation


def test_a_municipal_visitator_needs_a_municipality_and_names_are_unique(client, cast, partners):
    client.force_login(cast.manager_a)
    organisation = cast.case_a1.project.estate.organisation_id
    response = client.post(
        reverse("referrals:partner_create"),
        {"organisation": organisation, "name": "Visitationen", "kind": "visitator"},
    )
    assert response.status_code == 400
    assert "municipality" in response.context["form"].errors
    response = client.post(
        reverse("referrals:partner_create"),
        {"organisation": organisation, "name": "Hjemmeplejen Syd", "kind": "home_care"},
    )
    assert response.status_code == 400
    assert Partner.objects.filter(name="Hjemmeplejen Syd").count() == 1


def test_a_manager_edits_and_a_change_made_meanwhile_is_not_overwritten(client, cast, partners):
    partner = partners["home_care"]
    client.force_login(cast.manager_a)
    url = reverse("referrals:partner_edit", args=[partner.pk])
    stale = edit_data(partner, phone="11 11 11 11")
    response = client.post(url, edit_data(partner, contact_name="Lone Bak"))
    assert response.status_code == 302
    response = client.post(url, stale)
    assert response.status_code == 409
    partner.refresh_from_db()
    assert (partner.contact_name, partner.phone) == ("Lone Bak", "")
    # The form now carries what is saved: saving again keeps both changes.
    rebound = response.context["form"]
    response = client.post(
        url,
        {**stale, "contact_name": "Lone Bak", "fingerprint": rebound["fingerprint"].value()},
    )
    assert response.status_code == 302
    partner.refresh_from_db()
    assert (partner.contact_name, partner.phone) == ("Lone Bak", "11 11 11 11")


def test_only_a_manager_of_its_organisation_edits_a_partner(client, cast, partners):
    for role, status in (("caseworker_a1", 403), ("manager_b", 404)):
        client.force_login(getattr(cast, role))
        url = reverse("referrals:partner_edit", args=[partners["home_care"].pk])
        assert client.get(url).status_code == status
        response = client.post(url, edit_data(partners["home_care"], name="Overtaget"))
        assert response.status_code == status
    assert not Partner.objects.filter(name="Overtaget").exists()
    client.force_login(cast.caseworker_a1)
    assert client.get(reverse("referrals:partner_create")).status_code == 403


def test_the_service_refuses_a_stale_fingerprint(cast, partners):
    from core.versioning import ConflictError

    partner = partners["jobcenter"]
    fingerprint = partner_fingerprint(partner)
    partner_save(partner=partner, data={"area": "Nord"}, expected_fingerprint=fingerprint)
    with pytest.raises(ConflictError):
        partner_save(partner=partner, data={"area": "Syd"}, expected_fingerprint=fingerprint)
    assert Partner.objects.get(pk=partner.pk).area == "Nord"


@pytest.mark.parametrize("count", [5, 50])
def test_the_list_keeps_its_query_count(client, cast, django_assert_max_num_queries, count):
    organisation = cast.case_a1.project.estate.organisation
    for index in range(count):
        factories.make_partner(
            organisation,
            f"Partner {index}",
            kind=PartnerKind.MUNICIPAL_VISITATOR if index % 5 == 0 else PartnerKind.ASSOCIATION,
        )
    client.force_login(cast.manager_a)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("referrals:partners"))
    assert response.content.decode().count("<tr") == count + 1
