"""The demo visitator: she acts for the visitation of Hvidovre and has something to see."""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse

from referrals.models import Consent, Partner, PartnerKind


@pytest.mark.django_db
def test_the_demo_visitator_sees_flats_consented_households_and_referrals(client, demo_data):
    partner = Partner.objects.get(
        name="Hvidovre Kommune, visitationen", kind=PartnerKind.MUNICIPAL_VISITATOR
    )
    consents = Consent.objects.filter(partner=partner).count()
    call_command("load_demo_data", stdout=StringIO())  # idempotent
    assert Consent.objects.filter(partner=partner).count() == consents

    client.force_login(User.objects.get(username="visitator"))
    assert client.get(reverse("home"))["Location"] == reverse("referrals:visitator_flats")
    flats = client.get(reverse("referrals:visitator_flats"))
    assert flats.context["page"].paginator.count > 100
    households = client.get(reverse("referrals:visitator_households")).context["rows"]
    shared = [set(row["scope"].categories) for row in households]
    assert {"identity", "housing"} in shared
    assert {"identity", "housing", "social"} in shared
    withdrawn = Consent.objects.filter(partner=partner, withdrawal__isnull=False).get()
    assert withdrawn.household_id not in {row["household"].pk for row in households}
    referrals = client.get(reverse("referrals:visitator_referrals"), {"status": "all"})
    assert {r.status for r in referrals.context["page"].object_list} >= {"sent", "accepted"}
