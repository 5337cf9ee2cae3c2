"""The leak test of the municipal visitator (issue 4).

Distinct marker strings are planted in every sensitive field of a household of her municipality
(Hvidovre, estate A1) and of a household in another municipality (Køge, estate B1). As the
visitator:
- without consent, no marker appears in any page, fragment, CSV or PDF she can reach;
- with a consent covering her partner for categories X, exactly X's markers appear;
- after the withdrawal, none appears on the next request;
- a consent to another partner, or in another municipality, shows nothing;
- every URL pattern of the project answers her 404/403/405 or a redirect, except her own pages
  and the account pages; a pattern nobody classified here fails the test.

A new URL pattern must be added to one of the tables at the bottom of this module: HER_PAGES,
DENIED (with the model its <int:pk> names), or OPEN_PAGES in tests/urlwalk.py.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from referrals.consents.services import consent_record, consent_withdraw
from referrals.models import DataCategory, Partner, PartnerKind, Purpose
from referrals.services import referral_create, referral_transition
from tests import factories
from tests.urlwalk import (
    OPEN_PAGES,
    Planted,
    all_markers,
    category_markers,
    found,
    never_markers,
    plant,
    text_of,
    url_patterns,
    urls_with_ids,
)

A, B = "Mka", "Mkb"


@pytest.fixture
def leaks(cast, visitator_partner) -> Planted:
    org_a = cast.case_a1.project.estate.organisation
    org_b = cast.case_b1.project.estate.organisation
    koege = cast.case_b1.project.estate.municipality
    koege_visitation = factories.make_partner(
        org_b,
        "Køge Kommune, visitationen",
        kind=PartnerKind.MUNICIPAL_VISITATOR,
        municipality=koege,
    )
    planted = Planted()
    plant(
        planted,
        cast.case_a1,
        A,
        staff=cast.caseworker_a1,
        partners={
            "visitator": visitator_partner,
            "other": factories.make_partner(org_a, "Hjemmeplejen"),
        },
    )
    plant(
        planted,
        cast.case_b1,
        B,
        staff=cast.caseworker_b1,
        partners={
            "visitator": koege_visitation,
            "other": factories.make_partner(org_b, "Jobcentret"),
        },
    )
    # Household B consented to every visitator and to the visitation of Køge: not hers.
    for partner_fields in (
        {"partner_kind": PartnerKind.MUNICIPAL_VISITATOR},
        {"partner": koege_visitation},
    ):
        consent = give_consent(
            cast.case_b1.household,
            cast.caseworker_b1,
            list(DataCategory.values),
            prefix=B,
            **partner_fields,
        )
        planted.add("consent", consent.pk)
    planted.ids["user"] = [cast.visitator.pk, cast.caseworker_a1.pk]
    return planted


def give_consent(household, by, categories, prefix=A, **fields):
    return consent_record(
        household=household,
        by=by,
        given_by=f"{prefix}-GIVEN-BY",
        purpose=fields.pop("purpose", Purpose.REHOUSING),
        categories=categories,
        method="written",
        given_on=timezone.localdate() - timedelta(days=5),
        **fields,
    )


def her_pages(client, cast, planted: Planted) -> dict[str, str]:
    """Every page, fragment and export she can reach, by URL: the text of the answer."""
    a1 = cast.case_a1
    urls = [
        reverse("home"),
        reverse("referrals:visitator_flats"),
        reverse("referrals:visitator_flats") + f"?project={a1.project_id}",
        reverse("referrals:visitator_flats") + f"?stairwell={a1.household.flat.stairwell_id}",
        reverse("referrals:visitator_flats") + f"?estate={a1.project.estate_id}&page=2",
        reverse("referrals:visitator_flats_csv"),
        reverse("referrals:visitator_flats_csv") + f"?project={a1.project_id}",
        reverse("referrals:visitator_flats_xlsx"),
        reverse("referrals:visitator_flats_pdf"),
        reverse("referrals:visitator_households"),
        reverse("referrals:visitator_referrals"),
        reverse("referrals:visitator_referrals") + "?status=closed",
        reverse("referrals:visitator_referrals") + "?status=all",
        *(reverse("referrals:visitator_household", args=[pk]) for pk in planted.ids["household"]),
        *(reverse("referrals:visitator_referral", args=[pk]) for pk in planted.ids["referral"]),
        reverse("privacy:access_log"),
    ]
    texts = {}
    for url in urls:
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url, headers=headers)
            assert response.status_code in (200, 302, 403, 404), (url, response.status_code)
            texts[f"{url} {headers}"] = text_of(response)
    return texts


def test_without_consent_no_marker_reaches_her(client, cast, leaks):
    client.force_login(cast.visitator)
    texts = her_pages(client, cast, leaks)
    assert found(texts, all_markers(A) | all_markers(B) | {"Demens"}) == set()
    # she does see the affected flats of her municipality, and not Køge's
    flats = texts[f"{reverse('referrals:visitator_flats')} {{}}"]
    assert "Markørvej 3, 1. tv" in flats and "Fjernvej" not in flats


CONSENT_CASES = [[category] for category in DataCategory.values] + [
    [DataCategory.IDENTITY, DataCategory.HOUSING],
    [DataCategory.SOCIAL, DataCategory.VULNERABILITY, DataCategory.HOME],
    list(DataCategory.values),
]


@pytest.mark.parametrize("categories", CONSENT_CASES, ids=lambda c: "+".join(c))
def test_with_consent_exactly_the_consented_categories_appear(client, cast, leaks, categories):
    given = give_consent(
        cast.case_a1.household,
        cast.caseworker_a1,
        categories,
        partner=Partner.objects.get(name="Hvidovre Kommune, visitationen"),
    )
    client.force_login(cast.visitator)
    texts = her_pages(client, cast, leaks)
    markers = category_markers(A)
    for category, strings in markers.items():
        seen = found(texts, strings)
        if category in categories:
            assert seen == set(strings), (category, set(strings) - seen)
        else:
            assert seen == set(), (category, seen)
    assert found(texts, set(never_markers(A)) | all_markers(B)) == set()

    consent_withdraw(consent=given, by=cast.caseworker_a1)
    texts = her_pages(client, cast, leaks)
    assert found(texts, all_markers(A) | all_markers(B) | {"Demens"}) == set()


def test_a_residents_own_consent_shows_her_identity_only(client, cast, leaks):
    resident = cast.case_a1.household.residents.get(first_name=f"{A}fornavn")
    give_consent(
        cast.case_a1.household,
        cast.caseworker_a1,
        [DataCategory.IDENTITY],
        partner=Partner.objects.get(name="Hvidovre Kommune, visitationen"),
        resident=resident,
    )
    client.force_login(cast.visitator)
    texts = her_pages(client, cast, leaks)
    assert found(texts, category_markers(A)[DataCategory.IDENTITY]) == {
        f"{A}fornavn",
        f"{A}efternavn",
        f"{A}-PHONE-5501",
        f"{A.lower()}-mail@example.org",
    }


@pytest.mark.parametrize("recipient", ["home_care", "other_municipality_kind", "expired"])
def test_a_consent_not_covering_her_shows_nothing(client, cast, leaks, recipient):
    household = cast.case_a1.household
    if recipient == "home_care":
        give_consent(
            household,
            cast.caseworker_a1,
            list(DataCategory.values),
            partner=Partner.objects.get(name="Hjemmeplejen"),
        )
    elif recipient == "other_municipality_kind":
        # every visitator may see household B, but B is in Køge: already planted
        pass
    else:
        consent_record(
            household=household,
            by=cast.caseworker_a1,
            given_by=f"{A}-GIVEN-BY",
            purpose=Purpose.REHOUSING,
            categories=list(DataCategory.values),
            method="written",
            given_on=timezone.localdate() - timedelta(days=60),
            expires_on=timezone.localdate() - timedelta(days=1),
            partner=Partner.objects.get(name="Hvidovre Kommune, visitationen"),
        )
    client.force_login(cast.visitator)
    texts = her_pages(client, cast, leaks)
    assert found(texts, all_markers(A) | all_markers(B) | {"Demens"}) == set()


def test_a_referral_shows_what_it_shares_until_its_consent_is_withdrawn(client, cast, leaks):
    partner = Partner.objects.get(name="Hvidovre Kommune, visitationen")
    household = cast.case_a1.household
    given = give_consent(
        household,
        cast.caseworker_a1,
        [DataCategory.IDENTITY, DataCategory.SOCIAL],
        partner=partner,
        purpose=Purpose.REFERRAL,
    )
    referral = referral_create(
        household=household,
        partner=partner,
        reason="Brug for hjælp i hjemmet",
        by=cast.caseworker_a1,
        purpose=Purpose.REFERRAL,
        shared=[DataCategory.SOCIAL],
    )
    referral_transition(
        referral=referral, to_status="sent", by=cast.caseworker_a1, note=f"{A}-SEND-NOTE"
    )
    leaks.add("referral", referral.pk)
    client.force_login(cast.visitator)
    url = reverse("referrals:visitator_referral", args=[referral.pk])
    text = text_of(client.get(url))
    assert "Brug for hjælp i hjemmet" in text
    assert f"{A}-SOCIAL-NOTE" in text
    assert f"{A}fornavn" not in text  # the consent covers names, the referral does not share them
    assert f"{A}-SEND-NOTE" not in text  # the team's note on sending stays with the team
    consent_withdraw(consent=given, by=cast.caseworker_a1)
    texts = her_pages(client, cast, leaks)
    assert "Brug for hjælp i hjemmet" in texts[f"{url} {{}}"]
    assert found(texts, all_markers(A) | all_markers(B) | {"Demens"}) == set()


# --- every URL pattern of the project ---

# Her own pages: 200 where the gate lets her in.
HER_PAGES = {
    "home": None,
    "referrals:visitator_flats": None,
    "referrals:visitator_flats_csv": None,
    "referrals:visitator_flats_xlsx": None,
    "referrals:visitator_flats_pdf": None,
    "referrals:visitator_households": None,
    "referrals:visitator_household": "household",
    "referrals:visitator_referrals": None,
    "referrals:visitator_referral": "referral",
    "referrals:visitator_referral_answer": "referral",
}
# Everything else: she gets 404, 403, 405 or a redirect. The value: what <int:pk> names.
DENIED: dict[str, str | None] = {
    "cases:caseload": None,
    "cases:detail": "case",
    "cases:edit": "case",
    "cases:stage": "case",
    "cases:stage_undo": "case",
    "cases:flat_search": "case",
    "cases:assign": "case",
    "cases:unassign": "case",
    "cases:projects": None,
    "cases:project": "project",
    "cases:project_new": None,
    "cases:project_edit": "project",
    "cases:schedule": "project",
    "cases:schedule_upload": "project",
    "cases:open_cases": "project",
    "cases:distribute": "project",
    "cases:project_close": "project",
    "cases:timeline": "project",
    "logistics:board": "project",
    "logistics:board_offer": "project",
    "logistics:required_offers": "project",
    "logistics:week": "project",
    "logistics:case": "case",
    "logistics:case_flats": "case",
    "logistics:case_offer": "case",
    "logistics:need": "case",
    "logistics:move_plan": "case",
    "logistics:offer_reply": "offer",
    "logistics:move": "move",
    "logistics:pool": None,
    "logistics:pool_add": None,
    "logistics:pool_flats": None,
    "logistics:pool_edit": "pool_flat",
    "cases:deadlines": "organisation",
    "cases:deadlines_edit": "organisation",
    "logistics:waterbed": "organisation",
    "logistics:waterbed_pdf": "organisation",
    "rents:flat_rent": "flat",
    "rents:project": "project",
    "rents:statement_xlsx": "project",
    "households:detail": "household",
    "households:edit": "household",
    "households:assess": "household",
    "households:resident_add": None,
    "households:resident_edit": "resident",
    "households:flat": "flat",
    "outreach:calendar": None,
    "outreach:calendar_feed": None,
    "households:import": None,
    "households:import_template_csv": None,
    "households:import_template_xlsx": None,
    "households:import_preview": "tenant_import",
    "households:import_apply": "tenant_import",
    "households:duplicates": None,
    "households:duplicate_merge": None,
    "households:duplicate_keep_apart": None,
    "outreach:contacts": None,
    "outreach:contact_add": None,
    "outreach:contact_undo": "contact",
    "outreach:round": None,
    "outreach:round_list_print": None,
    "outreach:round_stairwell": None,
    "outreach:round_print": None,
    "outreach:round_card": None,
    "outreach:round_knock": None,
    "outreach:round_talk": None,
    "outreach:flags": None,
    "outreach:flag_count": None,
    "outreach:flag_resolve": "flag",
    "outreach:scans": None,
    "outreach:scan_run": None,
    "outreach:thresholds": "project",
    "outreach:meetings": None,
    "outreach:meeting_create": None,
    "outreach:meeting": "meeting",
    "outreach:meeting_invite": "meeting",
    "outreach:meeting_attendance": "meeting",
    "outreach:meeting_attendance_mark": "meeting",
    "outreach:cafe": None,
    "outreach:cafe_create": None,
    "outreach:cafe_session": "cafe",
    "outreach:cafe_visit": "cafe",
    "outreach:tips": None,
    "outreach:tip_create": None,
    "outreach:tip_flats": None,
    "outreach:tip_handled": "tip",
    "outreach:letters": None,
    "outreach:letter_create": None,
    "outreach:letter_reply": "letter",
    "outreach:letter_contact": None,
    "outreach:sent_letter_new": None,
    "outreach:sent_letter_pdf": "sent_letter",
    "outreach:sent_letter_docx": "sent_letter",
    "outreach:sent_letter_sent": "sent_letter",
    "outreach:sent_letter_received": "sent_letter",
    "outreach:letter_batch_new": None,
    "outreach:letter_batch": "letter_batch",
    "outreach:letter_batch_sent": "letter_batch",
    "outreach:letter_batch_pdf": "letter_batch",
    "outreach:letter_batch_zip": "letter_batch",
    "outreach:templates": None,
    "outreach:template_new": None,
    "outreach:template": "letter_template",
    "outreach:template_edit": "letter_template",
    "outreach:template_households": "letter_template",
    "referrals:consents": None,
    "referrals:consent_create": None,
    "referrals:consent": "consent",
    "referrals:consent_replace": "consent",
    "referrals:consent_withdraw": "consent",
    "referrals:consent_evidence": "consent",
    "referrals:partners": None,
    "referrals:partner_create": None,
    "referrals:partner_edit": "partner",
    "referrals:household_referrals": None,
    "referrals:referral_create": None,
    "referrals:referral": "referral",
    "referrals:referral_transition": "referral",
    "referrals:checklist_item": "checklist",
    "referrals:checklist_defaults": None,
    "referrals:coordination": None,
    "privacy:access_log": None,
    "referrals:follow_up_list": None,
    "referrals:follow_up": "plan",
    "referrals:follow_up_close": "plan",
    "referrals:follow_up_assign": "plan",
    "referrals:follow_up_contact": "visit",
    "referrals:communities": None,
    "referrals:community_create": None,
    "referrals:community": "community",
    "referrals:community_search": "community",
    "referrals:community_member_add": "community",
    "referrals:community_member_leave": "membership",
    "referrals:community_meeting_create": "community",
    "referrals:community_meeting": "community_meeting",
    "referrals:community_attendance": "community_meeting",
    "privacy:resident_access": "resident",
    "privacy:resident_erase": "resident",
    "reports:index": None,
    "reports:print": None,
    # Someone else's report job; her own long flat list is a job she follows and downloads
    # there (tests/referrals/test_visitator_pages.py, the flat-level PDF only).
    "reports:job": "report",
    "reports:job_download": "report",
    "economy:case_expenses": "case",
    "economy:expense": "expense",
    "economy:expense_correct": "expense",
    "economy:expense_approve": "expense",
    "economy:expense_receipt": "expense",
    "economy:approvals": None,
    "economy:budget": "project",
    "economy:budget_edit": "project",
    "economy:budget_upload": "project",
    "economy:budget_csv": "project",
    "economy:budget_xlsx": "project",
    "economy:expenses_csv": "project",
    "economy:expenses_xlsx": "project",
    "reports:job_retry": "report",
    "reports:project": "project",
    "reports:estate": "estate",
    "reports:case_summary": "case",
    "team:index": None,
    "team:team": "organisation",
    "team:invite": "organisation",
    "team:member": "organisation",
    "team:invitation_resend": "organisation",
    "team:deactivate": "organisation",
    # --- the list exports (CSV and XLSX) ---
    "cases:caseload_csv": None,
    "cases:caseload_xlsx": None,
    "logistics:pool_csv": None,
    "logistics:pool_xlsx": None,
    "outreach:contacts_csv": None,
    "outreach:contacts_xlsx": None,
    "outreach:flags_csv": None,
    "outreach:flags_xlsx": None,
    "outreach:meetings_csv": None,
    "outreach:meetings_xlsx": None,
    "outreach:tips_csv": None,
    "outreach:tips_xlsx": None,
    "outreach:letters_csv": None,
    "outreach:letters_xlsx": None,
    "referrals:consents_csv": None,
    "referrals:consents_xlsx": None,
    "referrals:household_referrals_csv": None,
    "referrals:household_referrals_xlsx": None,
    "referrals:follow_up_list_csv": None,
    "referrals:follow_up_list_xlsx": None,
}


def test_every_url_of_the_project_is_closed_to_her_but_her_own(client, cast, leaks):
    client.force_login(cast.visitator)
    markers = all_markers(A) | all_markers(B) | {"Demens"}
    unclassified = []
    answered_200 = set()
    walked = 0
    for name, pattern in url_patterns():
        if name in OPEN_PAGES:
            continue
        if name == "admin:index":
            pk_model = None
        elif name in HER_PAGES:
            pk_model = HER_PAGES[name]
        elif name in DENIED:
            pk_model = DENIED[name]
        else:
            unclassified.append(name)
            continue
        for url in urls_with_ids(name, pattern, leaks, pk_model):
            walked += 1
            response = client.get(url)
            assert found({url: text_of(response)}, markers) == set(), url
            if response.status_code == 200:
                answered_200.add(name)
            if name in HER_PAGES:
                continue
            assert response.status_code in (302, 403, 404, 405), (url, response.status_code)
            if response.status_code == 302:
                assert response["Location"].startswith(("/admin/login/", reverse("login"))), url
            response = client.post(url, {})
            assert response.status_code in (302, 403, 404, 405), ("POST", url, response.status_code)
            if response.status_code == 302:
                assert response["Location"].startswith(("/admin/login/", reverse("login"))), url
            assert found({url: text_of(response)}, markers) == set(), url
    assert walked >= len(DENIED) + len(HER_PAGES)
    assert not unclassified, f"classify these URLs in {__name__}: {unclassified}"
    assert answered_200 <= set(HER_PAGES), answered_200 - set(HER_PAGES)
    # without consent, and with only a draft and another partner's referral: the lists and exports
    assert answered_200 == {
        "referrals:visitator_flats",
        "referrals:visitator_flats_csv",
        "referrals:visitator_flats_xlsx",
        "referrals:visitator_flats_pdf",
        "referrals:visitator_households",
        "referrals:visitator_referrals",
    }


def test_the_open_pages_show_her_nothing(client, cast, leaks):
    client.force_login(cast.visitator)
    markers = all_markers(A) | all_markers(B)
    with_a_token = {"password_reset_confirm", "team:invitation_accept"}
    for name in sorted(OPEN_PAGES - {"logout", "set_language"} - with_a_token):
        response = client.get(reverse(name))
        assert found({name: text_of(response)}, markers) == set(), name


def test_a_visitator_without_a_partner_reaches_none_of_her_pages(client, cast, leaks):
    stranger = User.objects.create_user("visitator_uden")
    stranger.groups.add(*cast.visitator.groups.all())
    client.force_login(stranger)
    for name, pk_model in HER_PAGES.items():
        if name == "home":
            continue
        ids = leaks.ids[pk_model] if pk_model else [None]
        for pk in ids:
            url = reverse(name, args=[pk] if pk else [])
            assert client.get(url).status_code in (404, 405), url


def test_acting_for_a_visitation_of_another_organisation_shows_nothing_of_a(client, cast, leaks):
    """Køge's visitation is in organisation B's register: B's flats, not A's."""
    koege = Partner.objects.get(name="Køge Kommune, visitationen")
    other = User.objects.create_user("visitator_koege")
    other.groups.add(*cast.visitator.groups.all())
    assign_perm("referrals.act_for_partner", other, koege)
    client.force_login(other)
    flats = client.get(reverse("referrals:visitator_flats")).content.decode()
    assert "Fjernvej 3" in flats and "Markørvej" not in flats
    body = client.get(
        reverse("referrals:visitator_household", args=[cast.case_b1.household_id])
    ).content.decode()
    # household B consented to her (and to every visitator): she sees it, and nothing of A
    assert f"{B}-SOCIAL-NOTE" in body
    assert found({"b": body}, all_markers(A)) == set()
