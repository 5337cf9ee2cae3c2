from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN, PasswordResetConfirmView
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.http import AuthedRequest
from core.permissions import require_perm
from households.audit import log_access
from households.models import AccessAction
from households.templatetags.people import staff_name
from team.forms import HandoverForm, InviteForm, MemberForm
from team.models import HandoverKind, Invitation
from team.permissions import get_member_for_user, get_team_for_user, team_organisations_for_user
from team.selectors import (
    deactivation_refusal,
    handover_counts,
    handover_household_ids,
    handover_recipients,
    member_access,
    member_handovers,
    role_of_member,
    team_members,
    works_for_another_organisation,
)
from team.services import (
    InvitationNotSent,
    invitation_accept,
    invitation_send,
    staff_access_set,
    staff_deactivate,
    staff_invite,
)
from team.tokens import invitation_token_generator


@require_GET
def team_index(request: AuthedRequest) -> HttpResponse:
    """The team of the organisation she leads (a choice if she leads several)."""
    require_perm(request.user, "team.manage_team")
    organisations = list(team_organisations_for_user(request.user).order_by("name"))
    if len(organisations) == 1:
        return redirect("team:team", pk=organisations[0].pk)
    return render(request, "team/index.html", {"organisations": organisations})


@require_GET
def team_view(request: AuthedRequest, pk: int) -> HttpResponse:
    organisation = get_team_for_user(request.user, pk)
    members = team_members(organisation=organisation)
    context = {
        "organisation": organisation,
        "active": [member for member in members if member.user.is_active],
        "deactivated": [member for member in members if not member.user.is_active],
    }
    return render(request, "team/team.html", context)


def _sent_message(request: AuthedRequest, invitation: Invitation) -> None:
    try:
        invitation_send(invitation=invitation)
    except InvitationNotSent:
        messages.error(
            request,
            _("The mail could not be sent. Try “Send the invitation again” in a while."),
        )
    else:
        days = settings.INVITATION_DAYS
        messages.success(
            request,
            ngettext(
                "The invitation is sent to %(email)s. The link works once, for %(days)d day.",
                "The invitation is sent to %(email)s. The link works once, for %(days)d days.",
                days,
            )
            % {"email": invitation.user.email, "days": days},
        )


@require_http_methods(["GET", "POST"])
def member_invite(request: AuthedRequest, pk: int) -> HttpResponse:
    organisation = get_team_for_user(request.user, pk)
    form = InviteForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = staff_invite(
                organisation=organisation, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            log_access(request, what=gettext_noop("colleague invited"), action=AccessAction.STAFF)
            _sent_message(request, invitation)
            return redirect("team:team", pk=organisation.pk)
    status = 400 if form.errors else 200
    context = {"organisation": organisation, "form": form}
    return render(request, "team/invite.html", context, status=status)


@require_http_methods(["GET", "POST"])
def member_edit(request: AuthedRequest, pk: int, user_id: int) -> HttpResponse:
    organisation = get_team_for_user(request.user, pk)
    person = get_member_for_user(request.user, organisation, user_id)
    estates, projects = member_access(organisation=organisation, user=person)
    initial = {"role": role_of_member(person), "estates": estates, "projects": projects}
    form = MemberForm(request.POST or None, organisation=organisation, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            change = staff_access_set(
                organisation=organisation, user=person, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if change.changed:
                log_access(
                    request,
                    what=gettext_noop("colleague's access changed"),
                    action=AccessAction.STAFF,
                )
            messages.success(
                request, _("%(name)s's role and work are saved.") % {"name": staff_name(person)}
            )
            return redirect("team:team", pk=organisation.pk)
    context = {
        "organisation": organisation,
        "member": team_members(organisation=organisation, user_ids=[person.pk])[0],
        "form": form,
        "is_self": person.pk == request.user.pk,
        "elsewhere": works_for_another_organisation(user=person, organisation=organisation),
        "handovers": member_handovers(organisation=organisation, user=person),
    }
    return render(request, "team/member.html", context, status=400 if form.errors else 200)


@require_POST
def invitation_resend(request: AuthedRequest, pk: int, user_id: int) -> HttpResponse:
    organisation = get_team_for_user(request.user, pk)
    person = get_member_for_user(request.user, organisation, user_id)
    invitation = (
        Invitation.objects.select_related("user", "organisation", "invited_by")
        .filter(user=person, organisation=organisation)
        .first()
    )
    if invitation is None:
        raise Http404
    try:
        _sent_message(request, invitation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("team:team", pk=organisation.pk)


@require_http_methods(["GET", "POST"])
def member_deactivate(request: AuthedRequest, pk: int, user_id: int) -> HttpResponse:
    """Choose who takes over, see what moves, confirm: then her work moves and she is out."""
    organisation = get_team_for_user(request.user, pk)
    person = get_member_for_user(request.user, organisation, user_id)
    counts = handover_counts(organisation=organisation, user=person)
    recipients = handover_recipients(organisation=organisation, user=person, counts=counts)
    form = HandoverForm(request.POST or None, recipients=recipients, required=any(counts.values()))
    step = "choose"
    if request.method == "POST" and form.is_valid():
        step = "confirm"
        if request.POST.get("confirmed") == "yes":
            try:
                handover = staff_deactivate(
                    organisation=organisation,
                    user=person,
                    to_user=form.cleaned_data["to_user"],
                    by=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
                step = "choose"
            else:
                log_access(
                    request,
                    what=gettext_noop("colleague deactivated, her work handed over"),
                    action=AccessAction.STAFF,
                    households=handover_household_ids(handover=handover),
                )
                messages.success(request, _done_message(person, handover))
                return redirect("team:team", pk=organisation.pk)
    context = {
        "organisation": organisation,
        "person": person,
        "form": form,
        "step": step,
        "lines": [(HandoverKind(kind).label, count) for kind, count in counts.items()],
        "has_work": any(counts.values()),
        "refusal": deactivation_refusal(organisation=organisation, user=person, by=request.user),
    }
    return render(request, "team/deactivate.html", context, status=400 if form.errors else 200)


def _done_message(person, handover) -> str:
    name = staff_name(person)
    moved = handover.total
    if handover.to_user is None:
        return _("%(name)s is deactivated and logged out.") % {"name": name}
    if not handover.deactivated:  # deactivated before, in the admin
        return ngettext(
            "%(count)d item of %(name)s moved to %(to)s.",
            "%(count)d items of %(name)s moved to %(to)s.",
            moved,
        ) % {"name": name, "count": moved, "to": staff_name(handover.to_user)}
    return ngettext(
        "%(name)s is deactivated and logged out; %(count)d item moved to %(to)s.",
        "%(name)s is deactivated and logged out; %(count)d items moved to %(to)s.",
        moved,
    ) % {"name": name, "count": moved, "to": staff_name(handover.to_user)}


class InvitationAcceptView(PasswordResetConfirmView):
    """The link of the invitation: Django's password-reset page (the token goes into the
    session and out of the address at once), with the invitation's tokens and lifetime."""

    token_generator = invitation_token_generator
    template_name = "team/invitation_accept.html"
    success_url = reverse_lazy("login")

    def form_valid(self, form) -> HttpResponse:
        invitation_accept(user=self.user, password=form.cleaned_data["new_password1"])
        del self.request.session[INTERNAL_RESET_SESSION_TOKEN]
        messages.success(
            self.request,
            _("Your password is saved. Log in with your username %(username)s.")
            % {"username": self.user.get_username()},
        )
        return HttpResponseRedirect(self.get_success_url())


invitation_accept_view = InvitationAcceptView.as_view()
