"""Views of outreach: the drop-in café, and who came to it for help with what."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.http import AuthedRequest
from core.once import ALREADY_SAVED, AlreadySaved
from core.permissions import require_perm
from households.audit import log_access
from households.models import Household
from outreach.forms import DropInSessionForm, DropInVisitForm
from outreach.models import DropInSession
from outreach.permissions import drop_in_sessions_for_user, get_drop_in_session_for_user
from outreach.selectors import (
    drop_in_candidates,
    drop_in_estates,
    drop_in_household,
    drop_in_visits,
    help_topic_counts,
)
from outreach.services import drop_in_session_create, drop_in_visit_record

PAGE_SIZE = 30
SEARCH_MAX = 100
VISIT_FORM = gettext_noop("café visit form")  # the page with one visitor chosen


@require_GET
def session_list(request: AuthedRequest) -> HttpResponse:
    require_perm(request.user, "outreach.view_dropinsession")
    sessions = (
        drop_in_sessions_for_user(request.user)
        .select_related("estate")
        .annotate(visit_count=Count("visits"))
        .order_by("-held_on", "-pk")
    )
    context = {
        "page": Paginator(sessions, PAGE_SIZE).get_page(request.GET.get("page")),
        "can_add": request.user.has_perm("outreach.add_dropinsession"),
    }
    return render(request, "outreach/cafe/session_list.html", context)


@require_http_methods(["GET", "POST"])
def session_create(request: AuthedRequest) -> HttpResponse:
    require_perm(request.user, "outreach.add_dropinsession")
    estates = drop_in_estates(user=request.user)
    form = DropInSessionForm(request.POST or None, estates=estates)
    if request.method == "POST" and form.is_valid():
        try:
            session = drop_in_session_create(by=request.user, **form.cleaned_data)
        except AlreadySaved as already:
            messages.info(request, ALREADY_SAVED)
            if already.saved is None:
                return redirect("outreach:cafe")
            return redirect("outreach:cafe_session", pk=already.saved.pk)
        messages.success(request, _("The café is created. Register the visitors as they come."))
        return redirect("outreach:cafe_session", pk=session.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "outreach/cafe/session_form.html", {"form": form}, status=status)


def _session_context(request: AuthedRequest, session: DropInSession, **extra) -> dict:
    visits = drop_in_visits(session=session)
    q = request.GET.get("q", "").strip()[:SEARCH_MAX]
    return {
        "session": session,
        "visits": visits,
        "visited": {visit.household_id for visit in visits},
        "topic_counts": help_topic_counts(visits),
        "can_change": request.user.has_perm("outreach.change_dropinsession"),
        "q": q,
        "candidates": drop_in_candidates(session=session, user=request.user, q=q),
        **extra,
    }


@require_GET
def session_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    session = get_drop_in_session_for_user(request.user, pk)
    extra: dict = {}
    chosen = request.GET.get("household", "")
    if chosen.isdigit() and request.user.has_perm("outreach.change_dropinsession"):
        household = _visitor(request, session, int(chosen))
        extra = {"chosen": household, "visit_form": DropInVisitForm(initial={"household": chosen})}
        log_access(request, what=VISIT_FORM, households=[household.pk])
    context = _session_context(request, session, **extra)
    template = "outreach/cafe/session_detail.html"
    return render(request, f"{template}#results" if request.htmx else template, context)


def _visitor(request: AuthedRequest, session: DropInSession, household_id: int) -> Household:
    household = drop_in_household(session=session, user=request.user, household_id=household_id)
    if household is None:
        raise Http404
    return household


@require_POST
def visit_record(request: AuthedRequest, pk: int) -> HttpResponse:
    session = get_drop_in_session_for_user(request.user, pk, for_change=True)
    form = DropInVisitForm(request.POST)
    if not form.is_valid():
        household_id = form.cleaned_data.get("household")
        if not household_id:
            raise Http404
        household = _visitor(request, session, household_id)
        context = _session_context(request, session, chosen=household, visit_form=form)
        log_access(request, what=VISIT_FORM, households=[household.pk])
        if request.htmx:  # htmx swaps no 4xx answer: the session with the form's errors
            return render(request, "outreach/cafe/session_detail.html#session", context)
        return render(request, "outreach/cafe/session_detail.html", context, status=400)
    household = _visitor(request, session, form.cleaned_data["household"])
    try:
        drop_in_visit_record(
            session=session,
            household=household,
            by=request.user,
            help_topics=form.cleaned_data["help_topics"],
            note=form.cleaned_data["note"],
            once_key=form.cleaned_data["once_key"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except AlreadySaved:
        messages.info(request, ALREADY_SAVED)
    else:
        messages.success(request, _("%(name)s is registered.") % {"name": household.display_name()})
    if request.htmx:
        return render(
            request, "outreach/cafe/session_detail.html#session", _session_context(request, session)
        )
    return redirect("outreach:cafe_session", pk=session.pk)
