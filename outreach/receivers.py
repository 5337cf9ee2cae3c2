"""What outreach does when something happens below it (cases/signals.py and
cases/logistics/signals.py, connected in OutreachConfig.ready): an offer's letter awaits the
household's reply like any letter; the flags of a household whose facts changed are re-run once
the transaction commits (a case opened or moved on, a stairwell's dates changed)."""

from django.utils import timezone

from cases.logistics.models import OfferStatus
from cases.models import Project
from outreach.forms import ThresholdsForm
from outreach.models import DEFAULT_THRESHOLDS, SCANNED_KINDS, AwaitedReply, Flag, FlagKind
from outreach.permissions import can_change_thresholds
from outreach.scan import flags_evaluate, flags_reevaluate_on_commit, project_thresholds
from outreach.services import (
    awaited_reply_mark_replied,
    awaited_reply_record,
    awaited_reply_withdraw,
    thresholds_update,
)


def on_offer_sent(
    sender, *, household, case, by, subject, sent_via, sent_on, due_on, **kwargs
) -> AwaitedReply:
    return awaited_reply_record(
        household=household,
        by=by,
        subject=subject,
        sent_via=sent_via,
        sent_on=sent_on,
        due_on=due_on,
        case=case,
    )


def on_offer_answered(sender, *, letter, status, by, replied_on, note, **kwargs) -> None:
    if status in (OfferStatus.ACCEPTED, OfferStatus.REFUSED):
        awaited_reply_mark_replied(reply=letter, by=by, replied_on=replied_on, note=note)
    elif status == OfferStatus.WITHDRAWN:
        awaited_reply_withdraw(reply=letter)


def on_household_facts_changed(sender, *, household_ids, **kwargs) -> None:
    flags_reevaluate_on_commit(household_ids=household_ids)


def flags_open_after_evaluation(household_ids: list[int]) -> set[tuple[int, str]]:
    """For the preview of a schedule change (called inside a savepoint that is rolled back):
    the scanned flags these households would have open by the scan's rules right now."""
    flags_evaluate(household_ids=household_ids)
    return {
        (household_id, str(FlagKind(kind).label))
        for household_id, kind in Flag.objects.filter(
            household_id__in=household_ids, kind__in=SCANNED_KINDS, resolved_at__isnull=True
        ).values_list("household_id", "kind")
    }


def letters_sent(household_ids: list[int]) -> list[dict]:
    """The letters already sent to these households (they may state a date that moves)."""
    return [
        dict(letter)
        for letter in AwaitedReply.objects.filter(
            household_id__in=household_ids, sent_on__lte=timezone.localdate()
        )
        .order_by("-sent_on", "pk")
        .values("household_id", "subject", "sent_on")
    ]


# --- the flag thresholds as a section of the project form (cases/planning/sections.py) ---


def thresholds_allowed(user, project: Project | None) -> bool:
    if project is None:  # a new project: the page offers only her own organisations' estates
        return user.has_perm("outreach.change_flagthresholds")
    return can_change_thresholds(user, project)


def thresholds_form(*, data, project: Project | None, prefix: str) -> ThresholdsForm:
    initial = project_thresholds(project=project) if project else dict(DEFAULT_THRESHOLDS)
    return ThresholdsForm(data, prefix=prefix, initial=initial)


def thresholds_save(project: Project, values: dict) -> None:
    thresholds_update(project=project, values=values)
