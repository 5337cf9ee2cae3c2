"""The demo data: none of its contacts looks just recorded (every loader's, outreach's,
referrals' and logistics')."""

from datetime import timedelta

import pytest
from django.db.models import F

from outreach.models import Contact
from outreach.services import UNDO_MINUTES


@pytest.mark.django_db
def test_demo_contacts_were_recorded_when_they_happened_so_none_can_be_undone(demo_data):
    assert Contact.objects.count() > 100
    assert not Contact.objects.filter(created_at__gt=F("occurred_at")).exists()
    # what was undoable when the demo data was loaded (tests/conftest.py loads it once)
    undo_after = demo_data.loaded_at - timedelta(minutes=UNDO_MINUTES)
    assert not Contact.objects.filter(created_at__gte=undo_after).exists()
    # nor in the future: the bridge-builder's follow-ups due today were put at 11 o'clock
    assert not Contact.objects.filter(occurred_at__gt=demo_data.loaded_at).exists()
