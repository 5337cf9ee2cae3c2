"""The demo's letter templates: Boligselskabet Vestegnen gets the standard text of every kind
(the notice and the offer also in English and Arabic), and its staff a phone for the letters."""

from django.contrib.auth.models import User

from households.models import Organisation
from outreach.letters.models import LetterTemplate, StaffContact
from outreach.letters.services import standard_templates_add

VESTEGNEN = "Boligselskabet Vestegnen"  # as demo/data.py names it (it imports this module)

# Made-up numbers in the range Danish fiction uses (never a real subscriber's).
_PHONES = {
    "leder": "36 98 70 01",
    "sagsbehandler": "36 98 70 12",
    "sagsbehandler2": "36 98 70 13",
    "genhusning": "36 98 70 20",
    "brobygger": "36 98 70 30",
}


def letters_demo_load(*, users: dict[str, User]) -> bool:
    """Idempotent; True when something was made."""
    organisation = Organisation.objects.get(name=VESTEGNEN)
    before = LetterTemplate.objects.filter(organisation=organisation).count()
    standard_templates_add(organisation=organisation, by=users.get("leder"))
    for username, phone in _PHONES.items():
        if username in users:
            StaffContact.objects.get_or_create(user=users[username], defaults={"phone": phone})
    return LetterTemplate.objects.filter(organisation=organisation).count() > before
