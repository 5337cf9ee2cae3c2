"""Consent pages: the household's consents with their history, recording, replacing and
withdrawing one, and the evidence: upload rules and a download only for those allowed."""

import shutil
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from households.models import AccessAction, AccessLog
from referrals.consents.selectors import consent_check
from referrals.consents.services import consent_record, consent_withdraw
from referrals.models import Consent, ConsentWithdrawal, DataCategory, PartnerKind, Purpose
from tests import factories
from tests.conftest import MARKERS
from tests.test_access import assert_no_markers

MARKER = "SAMTYKKE-MARKØR-4411"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
OUTSIDERS = ["caseworker_a2", "rehousing_officer_a1", "visitator", "caretaker_a1", "manager_b"]


@pytest.fixture
def household(cast):
    return cast.case_a1.household


@pytest.fixture
def consent(cast, partners, household, evidence_dir):
    """A written consent with a scanned PDF and a marker in every free-text field."""
    return consent_record(
        household=household,
        by=cast.caseworker_a1,
        given_by=MARKER,
        partner=partners["home_care"],
        purpose=Purpose.REFERRAL,
        categories=[DataCategory.IDENTITY, DataCategory.HOUSING],
        method="written",
        given_on=timezone.localdate() - timedelta(days=10),
        evidence=SimpleUploadedFile("Agnete Markørsen samtykke.PDF", PDF),
    )


def form_data(partners, **fields):
    data = {
        "resident": "",
        "given_by": "Agnete Markørsen",
        "recipient": f"p:{partners['home_care'].pk}",
        "purpose": Purpose.REFERRAL,
        "categories": [DataCategory.IDENTITY, DataCategory.HOUSING],
        "method": "written",
        "witness": "",
        "given_on": timezone.localdate().isoformat(),
        "expires_on": "",
    }
    data.update(fields)
    return data


# --- the list ---------------------------------------------------------------------------------


def test_the_list_shows_every_consent_with_its_status_and_history(
    client, cast, partners, household, consent
):
    today = timezone.localdate()
    expired = factories.make_consent(
        household,
        cast.caseworker_a1,
        partner_kind=PartnerKind.JOBCENTER,
        given_on=today - timedelta(days=400),
        expires_on=today - timedelta(days=35),
    )
    withdrawn = factories.make_consent(household, cast.caseworker_a1, partner=partners["visitator"])
    consent_withdraw(consent=withdrawn, by=cast.caseworker_a1)
    oral = factories.make_consent(
        household,
        cast.caseworker_a1,
        partner=partners["home_care_2"],
        method="oral",
        witness=cast.caseworker_a1,
    )
    replacement = factories.make_consent(
        household, cast.caseworker_a1, partner=partners["home_care_2"], replaces=oral
    )
    client.force_login(cast.caseworker_a1)
    response = client.get(reverse("referrals:consents", args=[household.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    rows = {consent.pk: status.code for consent, status in response.context["rows"]}
    assert rows == {
        consent.pk: "valid",
        replacement.pk: "valid",
        expired.pk: "expired",
        withdrawn.pk: "withdrawn",
        oral.pk: "replaced",
    }
    assert body.count('class="is-past"') == 3
    assert "trukket tilbage" in body and "udløbet" in body and "erstattet" in body
    assert "Maja Holm" in body  # the witness of the oral consent
    assert reverse("referrals:consent_evidence", args=[consent.pk]) in body
    assert reverse("referrals:consent_create", args=[household.pk]) in body


def test_the_list_and_the_detail_are_logged(client, cast, household, consent):
    client.force_login(cast.caseworker_a1)
    client.get(reverse("referrals:consents", args=[household.pk]))
    client.get(reverse("referrals:consent", args=[consent.pk]))
    entries = list(AccessLog.objects.order_by("pk").values_list("what", "household_id", "user"))
    assert entries == [
        ("consents of a household", household.pk, cast.caseworker_a1.pk),
        ("consent", household.pk, cast.caseworker_a1.pk),
    ]
    assert all(MARKER not in what for what, *_rest in entries)


@pytest.mark.parametrize("count", [3, 30])
def test_the_list_keeps_its_query_count(
    client, cast, partners, household, django_assert_max_num_queries, count
):
    for index in range(count):
        consent = factories.make_consent(
            household, cast.caseworker_a1, partner=partners["home_care"]
        )
        if index % 3 == 0:
            consent_withdraw(consent=consent, by=cast.caseworker_a1)
    client.force_login(cast.caseworker_a1)
    # Session, user, permissions, grants, household, residents, consents, access log: eight,
    # for 3 or 30 consents.
    with django_assert_max_num_queries(8):
        response = client.get(reverse("referrals:consents", args=[household.pk]))
    assert len(response.context["rows"]) == count


# --- who may see what --------------------------------------------------------------------------


@pytest.mark.parametrize("role", OUTSIDERS)
def test_outsiders_get_nothing_of_a_consent(client, cast, household, consent, role):
    consent_withdraw(consent=consent, by=cast.caseworker_a1, note=f"note {MARKER}")
    client.force_login(getattr(cast, role))
    for url in (
        reverse("referrals:consents", args=[household.pk]),
        reverse("referrals:consent_create", args=[household.pk]),
        reverse("referrals:consent", args=[consent.pk]),
        reverse("referrals:consent_replace", args=[consent.pk]),
        reverse("referrals:consent_withdraw", args=[consent.pk]),
        reverse("referrals:consent_evidence", args=[consent.pk]),
    ):
        response = client.get(url)
        assert response.status_code in (403, 404), (role, url)
        body = b"".join(getattr(response, "streaming_content", [response.content])).decode()
        assert MARKER not in body
        assert_no_markers(body, ["case_a1"])
    assert not AccessLog.objects.exclude(action="denied").exists()  # only the refusal


def test_anonymous_users_go_to_the_login_page(client, household, consent):
    for url in (
        reverse("referrals:consents", args=[household.pk]),
        reverse("referrals:consent", args=[consent.pk]),
        reverse("referrals:consent_evidence", args=[consent.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_reader_without_the_right_to_record_cannot(client, cast, household, consent):
    reader = factories.make_user_with_perms(
        "reader",
        cast.case_a1.project.estate,
        "referrals.view_consent",
        "households.view_household",
    )
    client.force_login(reader)
    page = client.get(reverse("referrals:consent", args=[consent.pk])).content.decode()
    assert MARKER in page
    assert reverse("referrals:consent_withdraw", args=[consent.pk]) not in page
    assert client.get(reverse("referrals:consent_create", args=[household.pk])).status_code == 403
    assert client.get(reverse("referrals:consent_replace", args=[consent.pk])).status_code == 403
    response = client.post(reverse("referrals:consent_withdraw", args=[consent.pk]))
    assert response.status_code == 403
    assert not ConsentWithdrawal.objects.exists()


@pytest.mark.parametrize(
    ("name", "method"),
    [("consents", "post"), ("consent", "post"), ("consent_evidence", "post"), ("consent", "put")],
)
def test_it_refuses_the_wrong_method(client, cast, household, consent, name, method):
    client.force_login(cast.caseworker_a1)
    pk = household.pk if name == "consents" else consent.pk
    assert getattr(client, method)(reverse(f"referrals:{name}", args=[pk])).status_code == 405


# --- recording, replacing, withdrawing -----------------------------------------------------------


def test_a_caseworker_records_a_written_consent_for_the_household(
    client, cast, partners, household, evidence_dir
):
    client.force_login(cast.caseworker_a1)
    url = reverse("referrals:consent_create", args=[household.pk])
    assert client.get(url).status_code == 200
    data = form_data(partners, evidence=SimpleUploadedFile("scan.pdf", PDF))
    response = client.post(url, data)
    assert response.status_code == 302
    assert response.url == reverse("referrals:consents", args=[household.pk])
    consent = Consent.objects.get()
    assert (consent.resident, consent.partner, consent.given_by, consent.recorded_by) == (
        None,
        partners["home_care"],
        "Agnete Markørsen",
        cast.caseworker_a1,
    )
    saved = list(evidence_dir.rglob("*.pdf"))
    assert len(saved) == 1 and saved[0].read_bytes() == PDF
    assert "Agnete" not in saved[0].name  # a random name, no resident's name on disk


def test_a_resident_consent_to_a_kind_of_partner_takes_the_residents_name(
    client, cast, partners, household
):
    resident = household.residents.first()
    client.force_login(cast.caseworker_a1)
    response = client.post(
        reverse("referrals:consent_create", args=[household.pk]),
        {
            **form_data(partners),
            "resident": resident.pk,
            "given_by": "",
            "recipient": f"k:{PartnerKind.MUNICIPAL_VISITATOR}",
        },
    )
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert (consent.resident, consent.partner, consent.partner_kind, consent.given_by) == (
        resident,
        None,
        PartnerKind.MUNICIPAL_VISITATOR,
        resident.full_name,
    )


def test_an_oral_consent_needs_a_witness(client, cast, partners, household):
    client.force_login(cast.caseworker_a1)
    url = reverse("referrals:consent_create", args=[household.pk])
    response = client.post(url, form_data(partners, method="oral"))
    assert response.status_code == 400
    assert "vidne" in response.content.decode()
    assert response.context["form"]["purpose"].value() == Purpose.REFERRAL  # input kept
    assert not Consent.objects.exists()
    response = client.post(url, form_data(partners, method="oral", witness=cast.caseworker_a1.pk))
    assert response.status_code == 302
    assert Consent.objects.get().witness == cast.caseworker_a1


def test_bad_input_is_explained_and_nothing_is_saved(client, cast, partners, household):
    client.force_login(cast.caseworker_a1)
    today = timezone.localdate()
    response = client.post(
        reverse("referrals:consent_create", args=[household.pk]),
        form_data(
            partners,
            given_by="",
            categories=[],
            recipient=f"p:{partners['other_org'].pk}",
            expires_on=(today - timedelta(days=1)).isoformat(),
        ),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"given_by", "categories", "recipient"} <= set(errors)
    assert not Consent.objects.exists()
    response = client.post(
        reverse("referrals:consent_create", args=[household.pk]),
        form_data(partners, expires_on=today.isoformat()),
    )
    assert response.status_code == 400
    assert "expires_on" in response.context["form"].errors


def test_the_form_is_prefilled_from_the_query_string(client, cast, partners, household):
    client.force_login(cast.caseworker_a1)
    resident = household.residents.first()
    response = client.get(
        reverse("referrals:consent_create", args=[household.pk]),
        {
            "partner": partners["visitator"].pk,
            "purpose": Purpose.REHOUSING,
            "categories": ["housing", "social", "bogus"],
            "resident": resident.pk,
        },
    )
    form = response.context["form"]
    assert form["recipient"].value() == f"p:{partners['visitator'].pk}"
    assert form["purpose"].value() == Purpose.REHOUSING
    assert form["categories"].value() == ["housing", "social"]
    assert form["resident"].value() == str(resident.pk)


def test_replacing_prefills_from_the_old_consent_and_keeps_its_history(
    client, cast, partners, household, consent
):
    client.force_login(cast.caseworker_a1)
    url = reverse("referrals:consent_replace", args=[consent.pk])
    form = client.get(url).context["form"]
    assert form["recipient"].value() == f"p:{partners['home_care'].pk}"
    assert form["categories"].value() == consent.categories
    assert form["given_by"].value() == MARKER
    response = client.post(
        url, form_data(partners, given_by=MARKER, categories=[DataCategory.IDENTITY])
    )
    assert response.status_code == 302
    new = Consent.objects.get(replaces=consent)
    assert new.categories == [DataCategory.IDENTITY]
    assert list(Consent.objects.valid()) == [new]
    assert Consent.objects.get(pk=consent.pk).evidence  # the old record is untouched
    # A second replacement of the same consent goes to the one that replaced it.
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == reverse("referrals:consent", args=[new.pk])


def test_withdrawing_asks_first_and_counts_from_the_next_request(
    client, cast, partners, household, consent
):
    client.force_login(cast.caseworker_a1)
    url = reverse("referrals:consent_withdraw", args=[consent.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Ja, træk samtykket tilbage" in page.content.decode()
    assert not ConsentWithdrawal.objects.exists()
    response = client.post(url, {"note": "Ringede i dag"})
    assert response.status_code == 302
    withdrawal = ConsentWithdrawal.objects.get()
    assert (withdrawal.consent, withdrawal.recorded_by, withdrawal.note) == (
        consent,
        cast.caseworker_a1,
        "Ringede i dag",
    )
    assert not consent_check(
        household=household,
        partner=partners["home_care"],
        purpose=Purpose.REFERRAL,
        categories=[DataCategory.IDENTITY],
    )
    detail = client.get(reverse("referrals:consent", args=[consent.pk])).content.decode()
    assert "trukket tilbage" in detail and url not in detail
    response = client.post(url, follow=True)  # a second time: told, nothing new
    assert "allerede" in response.content.decode()
    assert ConsentWithdrawal.objects.count() == 1


# --- evidence: upload rules and download -------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("samtykke.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, "ikke en rigtig PDF"),
        ("samtykke.pdf", b"Jeg giver samtykke til ...", "ikke en rigtig PDF"),
        ("samtykke.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "PDF-, JPEG-"),
        ("samtykke.png", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', "ikke en rigtig PNG"),
        ("samtykke.txt", b"tekst", "PDF-, JPEG-"),
        ("samtykke", PDF, "PDF-, JPEG-"),
    ],
)
def test_it_refuses_evidence_that_is_not_a_pdf_jpeg_or_png(
    client, cast, partners, household, evidence_dir, name, content, message
):
    client.force_login(cast.caseworker_a1)
    response = client.post(
        reverse("referrals:consent_create", args=[household.pk]),
        form_data(partners, evidence=SimpleUploadedFile(name, content)),
    )
    assert response.status_code == 400
    assert message in response.context["form"].errors["evidence"][0]
    assert "Vælg filen igen" in response.content.decode()
    assert not Consent.objects.exists()
    assert not list(evidence_dir.rglob("*.*"))


def test_it_refuses_evidence_just_over_the_limit(
    client, cast, partners, household, evidence_dir, settings
):
    settings.EVIDENCE_MAX_BYTES = 2 * 1024 * 1024
    client.force_login(cast.caseworker_a1)
    url = reverse("referrals:consent_create", args=[household.pk])
    too_big = PDF + b"\x00" * (settings.EVIDENCE_MAX_BYTES + 1 - len(PDF))
    response = client.post(
        url, form_data(partners, evidence=SimpleUploadedFile("stor.pdf", too_big))
    )
    assert response.status_code == 400
    assert "for stor" in response.context["form"].errors["evidence"][0]
    just_right = too_big[:-1]
    response = client.post(
        url, form_data(partners, evidence=SimpleUploadedFile("stor.pdf", just_right))
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("scan.pdf", PDF, "application/pdf"),
        ("foto.JPG", JPEG, "image/jpeg"),
        ("foto.jpeg", JPEG, "image/jpeg"),
        ("scan.png", PNG, "image/png"),
    ],
)
def test_good_evidence_is_stored_privately_and_downloaded_by_the_caseworker(
    client, cast, partners, household, evidence_dir, name, content, content_type
):
    client.force_login(cast.caseworker_a1)
    client.post(
        reverse("referrals:consent_create", args=[household.pk]),
        form_data(partners, evidence=SimpleUploadedFile(name, content)),
    )
    consent = Consent.objects.get()
    assert (evidence_dir / consent.evidence.name).read_bytes() == content
    response = client.get(reverse("referrals:consent_evidence", args=[consent.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("attachment;")
    assert f"samtykke-{consent.pk}." in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"].split(", ")
    entry = AccessLog.objects.get(action=AccessAction.DOWNLOAD)
    assert (entry.what, entry.household_id, entry.user) == (
        "consent evidence",
        household.pk,
        cast.caseworker_a1,
    )


def test_evidence_has_no_public_url(client, cast, consent, evidence_dir, settings):
    assert "private" in str(evidence_dir)
    client.force_login(cast.caseworker_a1)
    for prefix in ("/media/", "/static/", "/"):
        assert client.get(f"{prefix}{consent.evidence.name}").status_code == 404


def test_the_download_of_a_resident_consent_logs_the_resident(
    client, cast, partners, household, evidence_dir
):
    resident = household.residents.first()
    consent = factories.make_consent(
        household,
        cast.caseworker_a1,
        partner=partners["home_care"],
        resident=resident,
        evidence=SimpleUploadedFile("s.png", PNG),
    )
    client.force_login(cast.caseworker_a1)
    assert client.get(reverse("referrals:consent_evidence", args=[consent.pk])).status_code == 200
    entry = AccessLog.objects.get()
    assert (entry.household_id, entry.resident_id, entry.action) == (
        household.pk,
        resident.pk,
        AccessAction.DOWNLOAD,
    )


def test_a_consent_without_evidence_or_a_lost_file_gives_404(
    client, cast, partners, household, consent, evidence_dir
):
    bare = factories.make_consent(household, cast.caseworker_a1, partner=partners["jobcenter"])
    client.force_login(cast.caseworker_a1)
    assert client.get(reverse("referrals:consent_evidence", args=[bare.pk])).status_code == 404
    shutil.rmtree(evidence_dir)
    assert client.get(reverse("referrals:consent_evidence", args=[consent.pk])).status_code == 404
    assert not AccessLog.objects.exclude(action="denied").exists()  # only the refusal


def test_markers_are_in_the_fixture(consent):
    assert MARKERS["case_a1"][0] == "Agnete Markørsen"
    assert consent.given_by == MARKER


def test_a_consent_that_has_already_expired_is_registered_only_knowingly(
    client, cast, partners, household
):
    client.force_login(cast.caseworker_a1)
    url = reverse("referrals:consent_create", args=[household.pk])
    today = timezone.localdate()
    data = form_data(
        partners,
        given_on=(today - timedelta(days=400)).isoformat(),
        expires_on=(today - timedelta(days=30)).isoformat(),
    )
    response = client.post(url, data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Dette samtykke udløb" in body and 'name="already_expired"' in body
    assert not Consent.objects.exists()
    response = client.post(url, {**data, "already_expired": "on"})
    assert response.status_code == 302
    assert Consent.objects.get().expires_on == today - timedelta(days=30)
    assert 'name="already_expired"' not in client.get(url).content.decode()
