"""Planted data for the privacy tests: household A of the visitator's leak test (every sensitive
field marked), plus a consent of the first resident with a signed scan, and contacts that name
her."""

from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import connection

from outreach.models import Channel, Contact, Outcome
from referrals.models import Consent
from tests import factories
from tests.referrals.test_visitator_leaks import A, Planted, give_consent, plant


@dataclass
class Subject:
    planted: Planted
    household_id: int
    first_id: int  # "Mkafornavn Mkaefternavn", phone, e-mail
    second_id: int  # "Mkaandenfornavn Hansen"
    consent: Consent
    evidence_name: str
    naming_contact: Contact


FIRST_MARKERS = ("Mkafornavn", "Mkaefternavn", f"{A}-PHONE-5501", f"{A.lower()}-mail@example.org")


@pytest.fixture(autouse=True)
def _evidence_in_a_temporary_folder(tmp_path, settings, monkeypatch):
    """Uploaded evidence goes to a temporary folder, never into the checkout."""
    location = tmp_path / "private"
    settings.MEDIA_ROOT = str(tmp_path)
    # The field took its storage when the model was loaded; point it at the new one.
    monkeypatch.setattr(
        Consent._meta.get_field("evidence"), "storage", FileSystemStorage(location=location)
    )


@pytest.fixture
def subject(cast, visitator_partner) -> Subject:
    planted = Planted()
    org_a = cast.case_a1.project.estate.organisation
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
    household = cast.case_a1.household
    first = household.residents.get(first_name=f"{A}fornavn")
    second = household.residents.get(first_name=f"{A}andenfornavn")
    consent = give_consent(
        household,
        cast.caseworker_a1,
        ["identity"],
        partner=visitator_partner,
        resident=first,
        evidence=ContentFile(b"%PDF-1.4 signed", name="underskrift.pdf"),
    )
    naming = Contact.objects.create(
        household=household,
        case=cast.case_a1,
        staff=cast.caseworker_a1,
        channel=Channel.PHONE,
        outcome=Outcome.TALKED,
        met="Mkafornavn Mkaefternavn og datteren",
        note=f"Ring til mkafornavn på {A}-PHONE-5501 eller skriv til {A.lower()}-mail@example.org",
    )
    planted.add("consent", consent.pk)
    planted.ids["user"] = [cast.visitator.pk, cast.caseworker_a1.pk]
    return Subject(
        planted=planted,
        household_id=household.pk,
        first_id=first.pk,
        second_id=second.pk,
        consent=consent,
        evidence_name=consent.evidence.name,
        naming_contact=naming,
    )


def rows_containing(markers) -> dict[str, list[str]]:
    """Every table of the database whose text (any column cast to text) holds a marker."""
    found: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        )
        tables = [row[0] for row in cursor.fetchall()]
        for table in tables:
            for marker in markers:
                cursor.execute(
                    f'SELECT count(*) FROM "{table}" AS t WHERE t::text ILIKE %s',  # noqa: S608
                    [f"%{marker}%"],
                )
                if cursor.fetchone()[0]:
                    found.setdefault(table, []).append(marker)
    return found
