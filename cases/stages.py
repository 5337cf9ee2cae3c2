"""The stages of a case and the transitions between them (DOMAIN.md)."""

from datetime import datetime, timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    IDENTIFIED = "identified", _("Identified")
    NOTIFIED = "notified", _("Notified")
    PACKING = "packing", _("Packing")
    TEMPORARY = "temporary", _("Temporarily rehoused")
    RETURN_NOTIFIED = "return_notified", _("Return notified")
    PACKING_RETURN = "packing_return", _("Packing for return")
    RETURNED = "returned", _("Returned")
    REESTABLISHED = "reestablished", _("Re-established")
    MOVED_PERMANENTLY = "moved_permanently", _("Moved permanently")
    FOLLOW_UP = "follow_up", _("Follow-up (bridge-building)")
    ENDED = "ended", _("Ended")
    CLOSED = "closed", _("Closed")


class EndReason(models.TextChoices):
    LEFT_ON_OWN = "left_on_own", _("Left on their own")
    EVICTED = "evicted", _("Evicted")
    DECEASED = "deceased", _("Deceased")


# The path of a case, in order. Ending early is allowed from every open stage.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Stage.IDENTIFIED: (Stage.NOTIFIED,),
    Stage.NOTIFIED: (Stage.PACKING,),
    Stage.PACKING: (Stage.TEMPORARY, Stage.MOVED_PERMANENTLY),
    Stage.TEMPORARY: (Stage.RETURN_NOTIFIED,),
    Stage.RETURN_NOTIFIED: (Stage.PACKING_RETURN,),
    Stage.PACKING_RETURN: (Stage.RETURNED,),
    Stage.RETURNED: (Stage.REESTABLISHED,),
    Stage.REESTABLISHED: (Stage.CLOSED,),
    Stage.MOVED_PERMANENTLY: (Stage.FOLLOW_UP,),
    Stage.FOLLOW_UP: (Stage.CLOSED,),
    Stage.ENDED: (Stage.CLOSED,),
    Stage.CLOSED: (),
}

OPEN_STAGES = tuple(stage for stage in Stage if stage not in (Stage.ENDED, Stage.CLOSED))

# The household lives in its new home: where that is must be known (the waterbed counts it).
MOVED = (Stage.MOVED_PERMANENTLY, Stage.FOLLOW_UP)

# A move to one of these cannot be taken back: an end and a closing are final, and a permanent
# move starts the follow-up plan. The page asks before each of them.
FINAL = (Stage.ENDED, Stage.CLOSED, Stage.MOVED_PERMANENTLY)

# Any other move can be taken back by the person who made it, this long after (as a contact can).
UNDO_MINUTES = 10

# The order stages are shown in: the return path, then the permanent path, then the ends.
STAGE_ORDER = tuple(Stage)


def allowed_next_stages(stage: str) -> tuple[str, ...]:
    """Every stage a case in `stage` may move to, the early end included."""
    following = TRANSITIONS[Stage(stage)]
    if stage in OPEN_STAGES:
        return (*following, Stage.ENDED)
    return following


def is_allowed(from_stage: str, to_stage: str) -> bool:
    return to_stage in allowed_next_stages(from_stage)


def primary_next_stage(stage: str, *, expects_return: bool) -> str | None:
    """The usual next step: after packing, home again or a permanent move by project kind."""
    following = TRANSITIONS[Stage(stage)]
    if not following:
        return None
    if stage == Stage.PACKING:
        return Stage.TEMPORARY if expects_return else Stage.MOVED_PERMANENTLY
    return following[0]


def can_undo(
    *,
    from_stage: str,
    to_stage: str,
    changed_by_id: int | None,
    changed_at: datetime,
    user_id: int,
    now: datetime,
) -> bool:
    """May `user_id` take back the move from `from_stage` to `to_stage` made at `changed_at`?"""
    return (
        bool(from_stage)
        and to_stage not in FINAL
        and changed_by_id == user_id
        and changed_at >= now - timedelta(minutes=UNDO_MINUTES)
    )
