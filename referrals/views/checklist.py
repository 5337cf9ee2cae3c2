"""The practical-help checklist on the case page: one tap sets an item (htmx, no reload)."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.permissions import get_case_for_user
from core.http import AuthedRequest
from core.permissions import require_perm
from core.versioning import ConflictError
from referrals.forms import ChecklistItemForm
from referrals.models import ChecklistItem, ChecklistStatus
from referrals.permissions import get_checklist_item_for_user
from referrals.selectors import case_checklist, progress_of
from referrals.services import checklist_ensure, checklist_set

TEMPLATE = "referrals/checklist/case_checklist.html"


@require_POST
def checklist_item_set(request: AuthedRequest, pk: int) -> HttpResponse:
    item = get_checklist_item_for_user(request.user, pk)
    form = ChecklistItemForm(request.POST)
    conflict = None
    if form.is_valid():
        try:
            item = checklist_set(
                item=item,
                status=form.cleaned_data["status"],
                helped_by=form.cleaned_data["helped_by"],
                expected_status=form.cleaned_data["expected_status"],
                by=request.user,
            )
        except ConflictError as error:
            item = error.current
            conflict = _(
                "Someone else set this to “%(status)s” meanwhile. Nothing was changed."
            ) % {"status": ChecklistStatus(item.status).label}
    elif "helped_by" in form.errors:  # too long: say so, not "choose a status"
        conflict = " ".join(str(error) for error in form.errors["helped_by"])
    else:
        conflict = _("Choose done, not needed or to do.")
    if not request.htmx:
        if conflict:
            messages.warning(request, conflict)
        return redirect(reverse("cases:detail", args=[item.case_id]) + "#checklist")
    context = {"item": item, "can_change": True, "conflict": conflict}
    progress = {
        "progress": progress_of(list(ChecklistItem.objects.filter(case_id=item.case_id))),
        "oob": True,
    }
    return HttpResponse(
        render_to_string(f"{TEMPLATE}#item", context, request)
        + render_to_string(f"{TEMPLATE}#progress", progress, request)
    )


@require_POST
def checklist_defaults(request: AuthedRequest, case_pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, case_pk)
    require_perm(request.user, "referrals.change_checklistitem")
    checklist_ensure(case=case)
    if not request.htmx:
        messages.success(request, _("The default items are added."))
        return redirect(reverse("cases:detail", args=[case.pk]) + "#checklist")
    items = case_checklist(case=case)
    context = {"case": case, "items": items, "progress": progress_of(items), "can_change": True}
    return render(request, f"{TEMPLATE}#checklist", context)
