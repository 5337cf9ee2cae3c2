"""A stage move can be taken back by the person who made it, within ten minutes (issue 18)."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, StageChange
from cases.signals import case_stage_changed
from cases.stages import FINAL, UNDO_MINUTES, EndReason, Stage, can_undo
from core.roles import Role
from households.services import estate_assign_staff
from tests import factories

pytestmark = pytest.mark.django_db


def _move(client, case, to_stage, **extra):
    return client.post(
        reverse("cases:stage", args=[case.pk]),
        {"to_stage": to_stage, "expected_stage": case.stage, **extra},
    )


def _undo(client, case, **headers):
    return client.post(reverse("cases:stage_undo", args=[case.pk]), headers=headers)


@pytest.fixture
def heard():
    """What the stage signal told its receivers."""
    calls = []

    def receiver(sender, *, case, to_stage, on, **kwargs):
        calls.append((case.pk, to_stage, kwargs.get("undone", False)))

    case_stage_changed.connect(receiver, dispatch_uid="test_stage_undo")
    yield calls
    case_stage_changed.disconnect(dispatch_uid="test_stage_undo")


def test_it_knows_which_moves_can_be_taken_back():
    now = timezone.now()
    kw = {"changed_by_id": 1, "user_id": 1, "now": now}
    assert can_undo(from_stage=Stage.IDENTIFIED, to_stage=Stage.NOTIFIED, changed_at=now, **kw)
    for final in FINAL:
        assert not can_undo(from_stage=Stage.PACKING, to_stage=final, changed_at=now, **kw)
    late = now - timedelta(minutes=UNDO_MINUTES, seconds=1)
    assert not can_undo(from_stage=Stage.IDENTIFIED, to_stage=Stage.NOTIFIED, changed_at=late, **kw)
    assert not can_undo(
        from_stage=Stage.IDENTIFIED,
        to_stage=Stage.NOTIFIED,
        changed_at=now,
        changed_by_id=2,
        user_id=1,
        now=now,
    )
    assert not can_undo(from_stage="", to_stage=Stage.IDENTIFIED, changed_at=now, **kw)


def test_it_takes_back_her_own_move_and_tells_the_dependents(client, cast, heard):
    case = cast.case_a1
    client.force_login(cast.caseworker_a1)
    _move(client, case, Stage.NOTIFIED)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Fortryd" in page and "Flyttet til “Varslet”" in page

    response = _undo(client, case, HX_Request="true")
    assert response.status_code == 200
    assert "Fortrudt: sagen er tilbage i “Identificeret”" in response.content.decode()
    case.refresh_from_db()
    assert case.stage == Stage.IDENTIFIED
    assert case.stage_changed_at == StageChange.objects.filter(case=case).first().changed_at
    assert not StageChange.objects.filter(case=case, to_stage=Stage.NOTIFIED).exists()
    assert heard == [(case.pk, Stage.NOTIFIED, False), (case.pk, Stage.IDENTIFIED, True)]


def test_a_colleague_cannot_take_back_her_move(client, cast, heard):
    case = cast.case_a1
    colleague = factories.make_user("colleague_a1", Role.CASEWORKER)
    estate_assign_staff(estate=case.project.estate, user=colleague)
    client.force_login(cast.caseworker_a1)
    _move(client, case, Stage.NOTIFIED)

    client.force_login(colleague)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Flyttet til “Varslet”" not in page
    response = _undo(client, case)
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).stage == Stage.NOTIFIED
    page = client.get(response["Location"]).content.decode()
    assert "Kun den, der flyttede sagen, kan fortryde det" in page
    assert len(heard) == 1


def test_it_cannot_be_taken_back_after_ten_minutes(client, cast):
    case = cast.case_a1
    client.force_login(cast.caseworker_a1)
    _move(client, case, Stage.NOTIFIED)
    with time_machine.travel(timezone.now() + timedelta(minutes=UNDO_MINUTES, seconds=5)):
        _undo(client, case)
    assert Case.objects.get(pk=case.pk).stage == Stage.NOTIFIED


def test_an_end_cannot_be_taken_back(client, cast):
    case = cast.case_a1
    client.force_login(cast.caseworker_a1)
    _move(client, case, Stage.ENDED, end_reason=EndReason.LEFT_ON_OWN)
    assert Case.objects.get(pk=case.pk).stage == Stage.ENDED
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Flyttet til" not in page
    _undo(client, case)
    assert Case.objects.get(pk=case.pk).stage == Stage.ENDED


def test_the_irreversible_buttons_ask_first_also_without_javascript(client, cast):
    case = cast.case_a1
    Case.objects.filter(pk=case.pk).update(stage=Stage.PACKING)
    client.force_login(cast.caseworker_a1)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    # The permanent move and the early end carry the question; the ordinary move does not.
    assert 'data-confirm="Flyt sagen til “Permanent genhuset”? Det kan ikke fortrydes."' in page
    assert 'data-confirm="Vil du afslutte sagen? Det kan ikke fortrydes."' in page
    assert page.count("data-confirm-fallback") == 2  # a required checkbox for pages without JS
    assert "formnovalidate" in page
    assert "hx-confirm" not in page
