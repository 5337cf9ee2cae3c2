"""The household's own copy (art. 15) shows her flat's rent as recorded (issue 17)."""

from decimal import Decimal

from households.models import Flat, Household
from tests.privacy.test_access_report import access_url, download


def test_her_copy_shows_her_flats_rent(client, cast, subject):
    flat_id = Household.objects.get(pk=subject.household_id).flat_id
    Flat.objects.filter(pk=flat_id).update(net_rent=Decimal("5123.50"), aconto=Decimal("650"))
    client.force_login(cast.caseworker_a1)

    _reader, text, data = download(client, access_url(subject))

    [flat] = data["data"]["households.Flat"]
    assert (flat["net_rent"], flat["aconto"]) == ("5123.50", "650.00")
    assert "Nettoleje pr. måned (kr.) 5.123,50" in text and "650,00" in text
