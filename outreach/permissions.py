"""Who may see and do what in outreach. The one place for these rules.

Outreach data is about households, so it is visible exactly where the household is (see
households/permissions.py); the role decides what may be done with it. Observations about the
home and tips are social data: never shown to the rehousing officer.
"""

from django.db.models import Expression, OuterRef, Q, QuerySet, Value
from django.http import Http404

from cases.models import Project
from core.db import count_of
from core.permissions import require_perm
from households.models import Estate
from households.permissions import (
    can_view_social_data,
    estate_access_q,
    household_ids_access_q,
    household_one_access_q,
    user_grants,
    visible_households_q,
)
from outreach.models import AwaitedReply, Contact, DropInSession, Flag, Meeting, Tip

NOTHING = Q(pk__in=[])


def contacts_for_user(user) -> QuerySet[Contact]:
    if not user.has_perm("outreach.view_contact"):
        return Contact.objects.none()
    return Contact.objects.filter(visible_households_q(user))


def can_view_observations(user) -> bool:
    return can_view_social_data(user)


def get_contact_for_user(user, pk: int) -> Contact:
    contact = contacts_for_user(user).select_related("household").filter(pk=pk).first()
    if contact is None:
        raise Http404
    return contact


def can_view_tips(user) -> bool:
    """Tips are social data: read by the social team, not by those who passed them on."""
    return user.has_perm("outreach.view_tip") and can_view_social_data(user)


def tips_for_user(user) -> QuerySet[Tip]:
    """The tips about the flats of the estates `user` works in, if she may read tips."""
    if not can_view_tips(user):
        return Tip.objects.none()
    return Tip.objects.filter(estate_access_q(user, "flat__stairwell__estate"))


def get_tip_for_user(user, pk: int, *, for_change: bool = False) -> Tip:
    tip = tips_for_user(user).select_related("flat__stairwell").filter(pk=pk).first()
    if tip is None:
        raise Http404
    if for_change:
        require_perm(user, "outreach.change_tip")
    return tip


def tip_estates_for_user(user) -> QuerySet[Estate]:
    """The estates whose flats `user` may pass on tips about: a caretaker's own, a caseworker's."""
    if not user.has_perm("outreach.add_tip"):
        return Estate.objects.none()
    if user.is_superuser:
        return Estate.objects.all()
    grants = user_grants(user)
    return Estate.objects.filter(
        Q(pk__in=grants.tip_estates)
        | Q(organisation_id__in=grants.managed_organisations)
        | Q(pk__in=grants.estates)
    )


def meetings_for_user(user) -> QuerySet[Meeting]:
    if not user.has_perm("outreach.view_meeting"):
        return Meeting.objects.none()
    return Meeting.objects.filter(project__in=Project.objects.for_user(user))


def get_meeting_for_user(user, pk: int, *, for_change: bool = False) -> Meeting:
    meeting = meetings_for_user(user).select_related("project__estate").filter(pk=pk).first()
    if meeting is None:
        raise Http404
    if for_change:
        require_perm(user, "outreach.change_meeting")
    return meeting


def drop_in_sessions_for_user(user) -> QuerySet[DropInSession]:
    if not user.has_perm("outreach.view_dropinsession"):
        return DropInSession.objects.none()
    return DropInSession.objects.filter(estate_access_q(user, "estate"))


def get_drop_in_session_for_user(user, pk: int, *, for_change: bool = False) -> DropInSession:
    session = drop_in_sessions_for_user(user).select_related("estate").filter(pk=pk).first()
    if session is None:
        raise Http404
    if for_change:
        require_perm(user, "outreach.change_dropinsession")
    return session


def awaited_replies_for_user(user) -> QuerySet[AwaitedReply]:
    if not user.has_perm("outreach.view_awaitedreply"):
        return AwaitedReply.objects.none()
    return AwaitedReply.objects.filter(visible_households_q(user))


def get_awaited_reply_for_user(user, pk: int, *, for_change: bool = False) -> AwaitedReply:
    reply = (
        awaited_replies_for_user(user)
        .select_related("household__flat__stairwell")
        .prefetch_related("household__residents")
        .filter(pk=pk)
        .first()
    )
    if reply is None:
        raise Http404
    if for_change:
        require_perm(user, "outreach.change_awaitedreply")
    return reply


def flags_for_user(user, *, household_id: int | None = None) -> QuerySet[Flag]:
    """The flags `user` may see; with `household_id`, only that household's (the same rule,
    asked of the one household)."""
    if not user.has_perm("outreach.view_flag"):
        return Flag.objects.none()
    if household_id is not None:
        return Flag.objects.filter(household_one_access_q(user, household_id))
    # the estates' way in through the flag's copy of its household's estate (Flag.estate)
    return Flag.objects.filter(household_ids_access_q(user, estate_field="estate_id"))


def open_flags_of_household(user) -> Expression:
    """An annotation of households that the caller has already limited to those `user` sees
    (Household.objects.for_user): the household's open flags, or 0 where she may not see flags.
    flags_for_user's rule asked from the households (a flag is visible with its household), so
    that counting the flags of a page of stairwells reads those households' flags through the
    household index, not every open flag she may see (11-20 ms at 50,000 households)."""
    if not user.has_perm("outreach.view_flag"):
        return Value(0)
    return count_of(Flag.objects.filter(household=OuterRef("pk"), resolved_at__isnull=True))


def get_flag_for_user(user, pk: int, *, for_change: bool = False) -> Flag:
    flag = flags_for_user(user).select_related("household").filter(pk=pk).first()
    if flag is None:
        raise Http404
    if for_change:
        require_perm(user, "outreach.change_flag")
    return flag


def scan_organisations_for_user(user) -> frozenset[int] | None:
    """The organisations whose numbers `user` sees on the scans page (None: all of them).

    The scan runs over every organisation; its status is the same for all, but how many
    households it scanned and flagged is each organisation's own business.
    """
    if user.is_superuser:
        return None
    return user_grants(user).managed_organisations


def can_run_scan(user) -> bool:
    return user.has_perm("outreach.add_scanrun")


def can_change_thresholds(user, project: Project) -> bool:
    if not user.has_perm("outreach.change_flagthresholds"):
        return False
    return (
        user.is_superuser
        or project.estate.organisation_id in user_grants(user).managed_organisations
    )
