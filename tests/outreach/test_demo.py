"""The demo data: none of its contacts looks just recorded (every loader's, outreach's,
referrals' and logistics')."""

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
    assert not Contact.objects.filter(created_at__gt=F("occurred_at")).exists()
    undo_after = timezone.now() - timedelta(minutes=UNDO_MINUTES)
    assert not Contact.objects.filter(created_at__gte=undo_after).exists()
