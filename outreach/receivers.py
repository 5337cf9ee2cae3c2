"""What outreach does when something happens below it (cases/signals.py and
cases/logistics/signals.py, connected in OutreachConfig.ready): an offer's letter awaits the
household's reply like any letter; the flags of a household whose facts changed are re-run."""

from cases.logistics.models import OfferStatus
from outreach.models import AwaitedReply
from outreach.scan import flags_reevaluate_on_commit
from outreach.services import (
    awaited_reply_mark_replied,
    awaited_reply_record,
    awaited_reply_withdraw,
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
