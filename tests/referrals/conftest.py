"""Fixtures of the referrals tests, one section per part."""

import pytest
from django.core.files.storage import FileSystemStorage

# --- consents, referrals, partners, checklist, coordination (helper: consent) ---


@pytest.fixture
def evidence_dir(tmp_path, settings, monkeypatch):
    """Uploaded evidence goes to a temporary folder, never into the checkout."""
    from referrals.models import Consent

    location = tmp_path / "private"
    settings.MEDIA_ROOT = str(tmp_path)
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location)},
        },
    }
    # The field took its storage when the model was loaded; point it at the new one.
    monkeypatch.setattr(
        Consent._meta.get_field("evidence"), "storage", FileSystemStorage(location=location)
    )
    return location


@pytest.fixture
def partners(cast):
    """Organisation A's register: the visitator of Hvidovre, home care, a jobcenter; and one
    partner in organisation B's register."""
    from referrals.models import PartnerKind
    from tests import factories

    org_a = cast.case_a1.project.estate.organisation
    org_b = cast.case_b1.project.estate.organisation
    return {
        "visitator": factories.make_partner(
            org_a, "Hvidovre Kommune, visitationen", kind=PartnerKind.MUNICIPAL_VISITATOR
        ),
        "home_care": factories.make_partner(org_a, "Hjemmeplejen Syd", kind=PartnerKind.HOME_CARE),
        "home_care_2": factories.make_partner(
            org_a, "Hjemmeplejen Nord", kind=PartnerKind.HOME_CARE
        ),
        "jobcenter": factories.make_partner(
            org_a, "Jobcenter Hvidovre", kind=PartnerKind.JOBCENTER
        ),
        "other_org": factories.make_partner(org_b, "Køge Hjemmepleje", kind=PartnerKind.HOME_CARE),
    }
