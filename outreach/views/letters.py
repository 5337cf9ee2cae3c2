"""Views of outreach: letters and forms sent that await a reply by a due date."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods

from cases.models import Project
from core.http import AuthedRequest
from core.once import ALREADY_SAVED, AlreadySaved
from core.permissions import require_perm
from households.audit import export_table, log_access
from households.permissions import get_household_for_user
from outreach.forms import AwaitedReplyForm, LetterFilterForm, ReplyForm
from outreach.permissions import get_awaited_reply_for_user
from outreach.selectors import open_letters
from outreach.services import awaited_reply_mark_replied, awaited_reply_record

PAGE_SIZE = 50


def _letter_query(request: AuthedRequest):
    """The letters page's form and letters: one query for the page and its exports."""
    require_perm(request.user, "outreach.view_awaitedreply")
    projects = Project.objects.for_user(request.user).order_by("name")
    form = LetterFilterForm(request.GET, projects=projects)
    return form, open_letters(user=request.user, project_id=form.project_id())


@require_GET
def letter_list(request: AuthedRequest) -> HttpResponse:
    form, letters = _letter_query(request)
    context = {
        "form": form,
        "page": Paginator(letters, PAGE_SIZE).get_page(request.GET.get("page")),
        "today": timezone.localdate(),
    }
    return render(request, "outreach/letters/letter_list.html", context)


@require_GET
def letter_export(request: AuthedRequest, fmt: str) -> HttpResponse | StreamingHttpResponse:
    _form, letters = _letter_query(request)
    letters = list(letters)
    rows = [
        [
            letter.household.display_name(),
            letter.household.flat.address,
            letter.case.project.name if letter.case else "",
            letter.subject,
            letter.sent_on,
            letter.get_sent_via_display(),
            letter.due_on,
        ]
        for letter in letters
    ]
    headers = [
        _("Household"),
        _("Address"),
        _("Project"),
        _("About"),
        _("Sent"),
        _("Sent via"),
        _("Reply due"),
    ]
    return export_table(
        request,
        fmt=fmt,
        filename="breve",
        what=gettext_noop("letters awaiting reply (export)"),
        headers=headers,
        rows=rows,
        households=[letter.household_id for letter in letters],
    )


def _household_letters_url(household_pk: int) -> str:
    return reverse("households:detail", args=[household_pk]) + "#letters"


@require_http_methods(["GET", "POST"])
def letter_create(request: AuthedRequest, household_pk: int) -> HttpResponse:
    household = get_household_for_user(request.user, household_pk)
    require_perm(request.user, "outreach.add_awaitedreply")
    form = AwaitedReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            awaited_reply_record(household=household, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error("due_on", error)
        except AlreadySaved:
            messages.info(request, ALREADY_SAVED)
            return redirect(_household_letters_url(household.pk))
        else:
            messages.success(request, _("The letter is registered. It awaits a reply."))
            return redirect(_household_letters_url(household.pk))
    status = 400 if form.is_bound and form.errors else 200
    context = {"household": household, "form": form}
    log_access(request, what=gettext_noop("letter form"), households=[household.pk])
    return render(request, "outreach/letters/letter_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
def letter_reply(request: AuthedRequest, pk: int) -> HttpResponse:
    reply = get_awaited_reply_for_user(request.user, pk, for_change=True)
    if reply.replied_on:
        messages.info(request, _("The reply is already registered."))
        return redirect(_household_letters_url(reply.household_id))
    form = ReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            awaited_reply_mark_replied(
                reply=reply,
                by=request.user,
                replied_on=form.cleaned_data["replied_on"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error("replied_on", error)
        else:
            messages.success(request, _("The reply is registered."))
            return redirect(_household_letters_url(reply.household_id))
    status = 400 if form.is_bound and form.errors else 200
    context = {"letter": reply, "household": reply.household, "form": form}
    log_access(request, what=gettext_noop("letter reply form"), households=[reply.household_id])
    return render(request, "outreach/letters/reply_form.html", context, status=status)
