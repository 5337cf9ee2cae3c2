"""Every write to an organisation's team: a person's role and access, invitations, and the
deactivation of a departing colleague with the handover of her work.

This app sits above cases, outreach and referrals (it imports them; nothing below imports
it): a handover moves their rows in one transaction, and the rules of whose work is whose
stay readable in one function instead of a registry each app would fill.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from smtplib import SMTPException

from django.conf import settings
from django.contrib.auth.models import Group, Permission, User
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Model
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from accounts.services import second_factor_enrolment_open, user_deactivate
from cases.models import (
    AssignmentRole,
    CaseAssignment,
    CaseUserObjectPermission,
    Project,
    ProjectUserObjectPermission,
)
from core.outbox import outbox_sweep
from core.queue import enqueue_on_commit
from core.roles import Role
from households.models import (
    Estate,
    EstateUserObjectPermission,
    Organisation,
    OrganisationUserObjectPermission,
)
from households.permissions import forget_access
from outreach.models import AwaitedReply, Meeting
from referrals.models import FollowUpPlan
from team.models import Handover, HandoverItem, HandoverKind, Invitation
from team.selectors import (
    ESTATE_CODENAMES,
    TEAM_ROLES,
    deactivation_refusal,
    handover_querysets,
    handover_recipients,
    role_of_member,
    works_for_another_organisation,
)
from team.tokens import invitation_token_generator

logger = logging.getLogger(__name__)


def _permission(dotted: str) -> Permission:
    app_label, codename = dotted.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def _grants_sync(
    model: type[Model], *, user: User, permission: Permission, wanted: set[int], within: set[int]
) -> tuple[int, int]:
    """Make her grants of `permission` on the objects `within` exactly `wanted`; returns how
    many were added and removed. Grants outside `within` (another organisation's) stay."""
    rows = model.objects.filter(  # type: ignore[attr-defined]
        user=user, permission=permission, content_object_id__in=within
    )
    held = set(rows.values_list("content_object_id", flat=True))
    removed, _detail = rows.filter(content_object_id__in=held - wanted).delete()
    model.objects.bulk_create(  # type: ignore[attr-defined]
        [model(user=user, permission=permission, content_object_id=pk) for pk in wanted - held]
    )
    return len(wanted - held), removed


@dataclass(frozen=True)
class AccessChange:
    added: int
    removed: int
    role_changed: bool

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed or self.role_changed)


@transaction.atomic
def staff_access_set(
    *,
    organisation: Organisation,
    user: User,
    role: str,
    estates: Iterable[Estate],
    projects: Iterable[Project],
    by: User | None,
) -> AccessChange:
    """The one place a person's role and her work in `organisation` are written: she is staff
    of the organisation (its manager too, if that is her role), works in exactly `estates` and
    `projects` (a caretaker passes on tips about `estates`), and loses what was taken away.
    Nothing outside the organisation can be granted, and nothing there is touched."""
    if role not in TEAM_ROLES:
        raise ValidationError({"role": _("Choose a role.")})
    estates, projects = list(estates), list(projects)
    if any(estate.organisation_id != organisation.pk for estate in estates) or any(
        project.estate.organisation_id != organisation.pk for project in projects
    ):
        raise ValidationError(_("Only the organisation's own estates and projects can be given."))
    if user.is_superuser:
        raise ValidationError(_("A system administrator is changed in the administration only."))
    current = role_of_member(user)
    if role != current:
        if works_for_another_organisation(user=user, organisation=organisation):
            raise ValidationError(
                {
                    "role": _(
                        "She also works for another housing organisation; ask an administrator "
                        "to change her role."
                    )
                }
            )
        if by is not None and user.pk == by.pk:
            raise ValidationError({"role": _("You cannot change your own role.")})
        user.groups.remove(*Group.objects.filter(name__in=Role.values))
        user.groups.add(Group.objects.get(name=role))
    if role == Role.MANAGER:  # she sees every estate and project of the organisation
        estates, projects = [], []
    if role == Role.CARETAKER:  # she passes on tips about flats, and works in no project
        projects = []

    added = removed = 0
    organisation_grants = {"staff_of_organisation"}
    if role == Role.MANAGER:
        organisation_grants.add("manage_organisation")
    for codename in ("staff_of_organisation", "manage_organisation"):
        plus, minus = _grants_sync(
            OrganisationUserObjectPermission,
            user=user,
            permission=_permission(f"households.{codename}"),
            wanted={organisation.pk} if codename in organisation_grants else set(),
            within={organisation.pk},
        )
        added, removed = added + plus, removed + minus
    own_estates = set(Estate.objects.filter(organisation=organisation).values_list("pk", flat=True))
    estate_codename = "submit_tip" if role == Role.CARETAKER else "work_in_estate"
    for codename in ESTATE_CODENAMES:
        plus, minus = _grants_sync(
            EstateUserObjectPermission,
            user=user,
            permission=_permission(f"households.{codename}"),
            wanted={estate.pk for estate in estates} if codename == estate_codename else set(),
            within=own_estates,
        )
        added, removed = added + plus, removed + minus
    plus, minus = _grants_sync(
        ProjectUserObjectPermission,
        user=user,
        permission=_permission("cases.work_in_project"),
        wanted={project.pk for project in projects},
        within=set(
            Project.objects.filter(estate__organisation=organisation).values_list("pk", flat=True)
        ),
    )
    added, removed = added + plus, removed + minus
    forget_access(user)
    return AccessChange(added=added, removed=removed, role_changed=role != current)


# --- invitations ---------------------------------------------------------------------------------


class InvitationNotSent(Exception):
    """The invitation is saved, but its mail could not be sent (the manager sends it again)."""


@transaction.atomic
def staff_invite(
    *,
    organisation: Organisation,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
    estates: Iterable[Estate],
    projects: Iterable[Project],
    by: User,
) -> Invitation:
    """A new colleague: an account with her e-mail as username and no password, her role and
    work (staff_access_set), and the invitation whose mail lets her choose a password."""
    email = User.objects.normalize_email(email.strip())
    if not email:
        raise ValidationError({"email": _("Write her e-mail address.")})
    username = email.lower()
    if (
        User.objects.filter(username__iexact=username).exists()
        or User.objects.filter(email__iexact=email).exists()
    ):
        raise ValidationError(
            {"email": _("Someone in genhusning already has this e-mail address.")}
        )
    user = User.objects.create_user(
        username=username,
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
    )  # no password: an unusable one, until she sets hers through the link
    staff_access_set(
        organisation=organisation, user=user, role=role, estates=estates, projects=projects, by=by
    )
    return Invitation.objects.create(user=user, organisation=organisation, invited_by=by)


def invitation_link(*, invitation: Invitation) -> str:
    user = invitation.user
    token = invitation_token_generator.make_token(user)
    path = reverse(
        "team:invitation_accept",
        kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": token},
    )
    return settings.SITE_URL + path


def invitation_send(*, invitation: Invitation) -> None:
    """Mail her the link (in Danish; it names her, her organisation and who invited her, and
    nothing about a resident). Raises InvitationNotSent if the mail server refused it."""
    user = invitation.user
    if not user.is_active or invitation.accepted_at is not None or user.has_usable_password():
        raise ValidationError(_("She has already chosen her password."))
    now = timezone.now()
    context = {
        "invitation": invitation,
        "link": invitation_link(invitation=invitation),
        "expires_on": timezone.localtime(now + timedelta(days=settings.INVITATION_DAYS)),
        "enrolment_days": settings.OTP_ENROLMENT_DAYS,
        "login_url": settings.SITE_URL + reverse("login"),
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("You are invited to genhusning")
        body = render_to_string("team/invitation_email.txt", context)
    try:
        send_mail(subject=subject, message=body, from_email=None, recipient_list=[user.email])
    except (SMTPException, OSError) as error:
        logger.warning("Invitation %s not sent: %s", invitation.pk, error)
        raise InvitationNotSent from error
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=now)
    invitation.sent_at = now


@transaction.atomic
def invitation_accept(*, user: User, password: str) -> None:
    """She chose her password (the form checked it): the link is spent, and she has
    OTP_ENROLMENT_DAYS from now to set up her app at her first login."""
    user.set_password(password)
    user.save(update_fields=["password"])
    Invitation.objects.filter(user=user, accepted_at__isnull=True).update(
        accepted_at=timezone.now()
    )
    second_factor_enrolment_open(user=user)


# --- deactivation and handover -------------------------------------------------------------------


def _assignment_role(user: User) -> str:
    if user.groups.filter(name=Role.BRIDGE_BUILDER).exists():
        return AssignmentRole.BRIDGE_BUILDER
    return AssignmentRole.CASEWORKER


@transaction.atomic
def work_hand_over(
    *, organisation: Organisation, from_user: User, to_user: User, by: User
) -> Handover:
    """Move everything she has open in `organisation` to `to_user`: her open cases (the
    assignment and the access that comes with it), follow-up plans, letters awaiting reply and
    upcoming information meetings; the open flags of her cases' households follow the cases.
    Each item gets a history row; `to_user` gets one mail with the count of each kind."""
    querysets = handover_querysets(organisation=organisation, user=from_user)
    counts_before = {kind: queryset.count() for kind, queryset in querysets.items()}
    if (
        not handover_recipients(organisation=organisation, user=from_user, counts=counts_before)
        .filter(pk=to_user.pk)
        .exists()
    ):
        raise ValidationError(
            {"to_user": _("This colleague cannot take over her work. Choose another.")}
        )
    now = timezone.now()
    handover = Handover.objects.create(
        organisation=organisation, from_user=from_user, to_user=to_user, by=by, at=now
    )
    moved: dict[str, list[int]] = {}
    # Read before her assignments go: they say which households' flags follow.
    moved[HandoverKind.FLAG] = list(
        querysets[HandoverKind.FLAG].order_by("pk").values_list("pk", flat=True)
    )

    assignments = list(
        querysets[HandoverKind.CASE].select_for_update(of=("self",)).order_by("case_id")
    )
    case_ids = [assignment.case_id for assignment in assignments]
    has_already = set(
        CaseAssignment.objects.filter(user=to_user, case_id__in=case_ids).values_list(
            "case_id", flat=True
        )
    )
    role = _assignment_role(to_user)
    CaseAssignment.objects.bulk_create(
        CaseAssignment(
            case_id=case_id,
            user=to_user,
            role=role,
            assigned_by=by,
            assigned_at=now,
            notified_at=now,  # the handover's one mail tells her, not a mail per case
        )
        for case_id in case_ids
        if case_id not in has_already
    )
    case_perms = [_permission("cases.view_case"), _permission("cases.change_case")]
    CaseUserObjectPermission.objects.bulk_create(
        [
            CaseUserObjectPermission(user=to_user, permission=perm, content_object_id=case_id)
            for case_id in case_ids
            for perm in case_perms
        ],
        ignore_conflicts=True,
    )
    CaseAssignment.objects.filter(pk__in=[a.pk for a in assignments]).delete()
    CaseUserObjectPermission.objects.filter(
        user=from_user, permission__in=case_perms, content_object_id__in=case_ids
    ).delete()
    moved[HandoverKind.CASE] = case_ids

    plans = querysets[HandoverKind.FOLLOW_UP_PLAN].select_for_update(of=("self",))
    moved[HandoverKind.FOLLOW_UP_PLAN] = list(plans.order_by("pk").values_list("pk", flat=True))
    FollowUpPlan.objects.filter(pk__in=moved[HandoverKind.FOLLOW_UP_PLAN]).update(
        bridge_builder=to_user
    )
    # The one who sent a letter waits for its reply, and holds the meetings she called
    # (outreach/calendar.py): `created_by` is their owner.
    for kind, model in ((HandoverKind.LETTER, AwaitedReply), (HandoverKind.MEETING, Meeting)):
        rows = querysets[kind].select_for_update(of=("self",))
        moved[kind] = list(rows.order_by("pk").values_list("pk", flat=True))
        model.objects.filter(pk__in=moved[kind]).update(created_by=to_user)  # type: ignore[attr-defined]

    HandoverItem.objects.bulk_create(
        HandoverItem(handover=handover, kind=kind, object_id=pk)
        for kind, pks in moved.items()
        for pk in pks
    )
    handover.counts = {kind: len(moved[kind]) for kind in HandoverKind.values}
    handover.save(update_fields=["counts"])
    if handover.total:
        from team.tasks import notify_handover

        enqueue_on_commit(notify_handover, handover.pk)
    return handover


@transaction.atomic
def staff_deactivate(
    *, organisation: Organisation, user: User, to_user: User | None, by: User
) -> Handover:
    """A colleague leaves: her open work moves to `to_user` (needed if she has any) and her
    account is closed, which ends her sessions at once (accounts/signals.py). Also for one
    deactivated elsewhere (the admin) whose work is still open."""
    refusal = deactivation_refusal(organisation=organisation, user=user, by=by)
    if refusal:
        raise ValidationError(refusal)
    has_work = any(
        queryset.exists()
        for queryset in handover_querysets(organisation=organisation, user=user).values()
    )
    if has_work and to_user is None:
        raise ValidationError({"to_user": _("Choose the colleague who takes over her work.")})
    if has_work and to_user is not None:
        handover = work_hand_over(organisation=organisation, from_user=user, to_user=to_user, by=by)
    else:
        handover = Handover.objects.create(organisation=organisation, from_user=user, by=by)
    handover.deactivated = user.is_active
    handover.save(update_fields=["deactivated"])
    if user.is_active:
        user_deactivate(user=user)
    return handover


# --- the new colleague's notice ------------------------------------------------------------------


@transaction.atomic
def handover_send_notification(*, handover_id: int) -> bool:
    """Mail the colleague who took over: who handed what to her, with counts and a link to
    her cases, and nothing about a resident. At most once; returns whether a mail was sent."""
    handover = (
        Handover.objects.select_for_update(of=("self",))
        .select_related("to_user", "from_user", "by")
        .filter(pk=handover_id, notified_at__isnull=True, to_user__isnull=False)
        .first()
    )
    if handover is None or handover.to_user is None or not handover.to_user.email:
        return False
    if not handover.total:
        return False
    context = {
        "handover": handover,
        "lines": [
            (HandoverKind(kind).label, count) for kind, count in handover.counts.items() if count
        ],
        "link": settings.SITE_URL + reverse("cases:caseload") + "?scope=mine",
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("You have taken over a colleague's work in genhusning")
        body = render_to_string("team/handover_email.txt", context)
    send_mail(
        subject=subject, message=body, from_email=None, recipient_list=[handover.to_user.email]
    )
    handover.notified_at = timezone.now()
    handover.save(update_fields=["notified_at"])
    return True


def handover_notifications_sweep() -> int:
    """Send the handover mails that were never sent (core/outbox.py)."""
    return outbox_sweep(
        Handover.objects.filter(to_user__isnull=False).exclude(to_user__email=""),
        at_field="at",
        send=lambda pk: handover_send_notification(handover_id=pk),
        what="Handover",
    )
