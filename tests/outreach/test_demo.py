"""The outreach part of the demo data: nothing in it looks just recorded."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from outreach.models import Contact
from outreach.services import UNDO_MINUTES


@pytest.mark.django_db
def test_demo_contacts_were_recorded_when_they_happened_so_none_can_be_undone(settings):
    settings.DEBUG = True  # the command loads only into a development database
    call_command("load_demo_data", verbosity=0)

    assert Contact.objects.count() > 100
    just_recorded = Contact.objects.exclude(created_at=F("occurred_at"))
    # Every demo loader (outreach, referrals, logistics) backdates what it records through the
    # services, as outreach/demo.py does: else "Undo" shows for ten minutes after loading.
    assert list(just_recorded.values_list("channel", "outcome", "note")[:5]) == []
    undo_after = timezone.now() - timedelta(minutes=UNDO_MINUTES)
    assert not Contact.objects.filter(created_at__gte=undo_after).exists()
