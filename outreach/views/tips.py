"""Views of outreach: tips about a flat, passed on by the caretaker, a neighbour or staff.

The caretaker's one page is the tip form: she chooses a flat by its address, sees no names and
no tips (hers or others'), and gets an empty form and a thank-you after each tip.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.http import AuthedRequest
from core.once import ALREADY_SAVED, AlreadySaved
from core.permissions import require_perm
from households.audit import export_table
from households.pickers import flat_picker
from households.templatetags.people import staff_name
from outreach.forms import TipForm
from outreach.models import TipSource
from outreach.permissions import can_view_tips, get_tip_for_user
from outreach.selectors import tip_flats, tip_list
from outreach.services import tip_mark_handled, tip_submit
from outreach.views import next_url

PAGE_SIZE = 30
NO_MATCH = gettext_lazy("No flat of yours matches.")


@require_http_methods(["GET", "POST"])
def tip_create(request: AuthedRequest) -> HttpResponse:
    require_perm(request.user, "outreach.add_tip")
    initial: dict = {"flat": request.GET.get("flat", "")}
    if not can_view_tips(request.user):
        initial["source"] = TipSource.CARETAKER  # the caretaker passes on what she knows
    form = TipForm(request.POST or None, initial=initial, flats=tip_flats(user=request.user))
    back = next_url(request, "")
    if request.method == "POST" and form.is_valid():
        try:
            tip_submit(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        except AlreadySaved:
            messages.info(request, ALREADY_SAVED)
            return redirect(back or "outreach:tip_create")
        else:
            messages.success(
                request, _("Thank you! The tip is passed on to the social housing team.")
            )
            return redirect(back or "outreach:tip_create")
    status = 400 if form.is_bound and form.errors else 200
    context = {
        "form": form,
        "next": back,
        "can_read_tips": can_view_tips(request.user),
        "picker": flat_picker(form["flat"], q=request.GET.get("q", ""), no_match=NO_MATCH),
    }
    return render(request, "outreach/tips/tip_form.html", context, status=status)


@require_GET
def tip_flat_search(request: AuthedRequest) -> HttpResponse:
    """The type-ahead of the tip form's flat picker: a few of her flats matching the words."""
    require_perm(request.user, "outreach.add_tip")
    field = TipForm(flats=tip_flats(user=request.user))["flat"]
    picker = flat_picker(
        field,
        q=request.GET.get("q", ""),
        current=request.GET.get("flat", ""),
        listed=False,
        no_match=NO_MATCH,
    )
    return render(request, "includes/typeahead_choices.html", picker)


@require_GET
def tip_list_view(request: AuthedRequest) -> HttpResponse:
    if not can_view_tips(request.user):
        raise PermissionDenied
    page = Paginator(tip_list(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "can_change": request.user.has_perm("outreach.change_tip"),
        "can_add": request.user.has_perm("outreach.add_tip"),
    }
    return render(request, "outreach/tips/tip_list.html", context)


@require_GET
def tip_export(request: AuthedRequest, fmt: str) -> HttpResponse | StreamingHttpResponse:
    if not can_view_tips(request.user):
        raise PermissionDenied
    tips = list(tip_list(user=request.user))
    rows = [
        [
            tip.flat.address,
            tip.flat.stairwell.estate.name,
            tip.household.display_name() if tip.household else "",
            tip.text,
            tip.get_source_display(),
            tip.submitted_at,
            staff_name(tip.submitted_by),
            tip.handled_at,
            staff_name(tip.handled_by) if tip.handled_at else "",
        ]
        for tip in tips
    ]
    headers = [
        _("Address"),
        _("Estate"),
        _("Household"),
        _("Tip"),
        _("From"),
        _("Passed on"),
        _("Passed on by"),
        _("Seen"),
        _("Seen by"),
    ]
    return export_table(
        request,
        fmt=fmt,
        filename="tips",
        what=gettext_noop("tips (export)"),
        headers=headers,
        rows=rows,
        households=[tip.household_id for tip in tips if tip.household_id],
    )


@require_POST
def tip_handled(request: AuthedRequest, pk: int) -> HttpResponse:
    tip = get_tip_for_user(request.user, pk, for_change=True)
    tip_mark_handled(tip=tip, by=request.user)
    if request.htmx:
        tip = tip_list(user=request.user).get(pk=tip.pk)
        return render(request, "outreach/tips/includes/tip.html#status", {"tip": tip})
    messages.success(request, _("The tip is marked as seen."))
    return redirect(next_url(request, "") or "outreach:tips")
