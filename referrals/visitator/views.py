"""The municipal visitator's pages: the affected flats of her municipality (flat level, with CSV
and PDF export), the households whose consent covers her partner (only the consented data), and
the referrals sent to her partner. Every page is gated by require_visitator (404 otherwise); every
view of person-level data is written to the access log. Nothing is cached: a withdrawn consent
hides the data on the very next request."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_POST

from core.http import AuthedRequest
from core.pdf import pdf_response
from core.versioning import ConflictError
from households.audit import export_table, log_access
from households.models import AccessAction, format_floor
from referrals.models import Partner, ReferralStatus
from referrals.services import REFERRAL_TRANSITIONS, referral_transition
from referrals.visitator.forms import FlatFilterForm, ReferralAnswerForm
from referrals.visitator.permissions import (
    VISITATOR_REFERRAL_STATUSES,
    get_household_for_visitator,
    get_referral_for_visitator,
    require_visitator,
)
from referrals.visitator.selectors import (
    referral_shared_scope,
    shared_data,
    visitator_flats,
    visitator_referrals,
    visitator_schedules,
    visitator_shared_households,
    visitator_shared_scopes,
)
from referrals.visitator.services import (
    FLAT_LIST_PDF_WHAT,
    export_name,
    flat_list_is_large,
    flat_list_order,
    flat_list_pdf,
    municipality_names,
    with_state,
)

PAGE_SIZE = 50


def _flat_rows(request: AuthedRequest, partners: list[Partner]):
    form = FlatFilterForm(request.GET, schedules=visitator_schedules(partners=partners))
    return form, visitator_flats(partners=partners, filters=form.filters())


@require_GET
def flat_list(request: AuthedRequest) -> HttpResponse:
    partners = require_visitator(request.user)
    form, flats = _flat_rows(request, partners)
    page = Paginator(flats, PAGE_SIZE).get_page(request.GET.get("page"))
    with_state(page.object_list)
    context = {
        "form": form,
        "page": page,
        "municipality": municipality_names(partners),
        "filters": request.GET.urlencode(),
    }
    return render(request, "referrals/visitator/flat_list.html", context)


# The access log's name of each file (the same words in every language: gettext_noop).
FLAT_EXPORT_WHAT = {
    "csv": gettext_noop("affected flats (CSV)"),
    "xlsx": gettext_noop("affected flats (Excel)"),
}


@require_GET
def flat_export(request: AuthedRequest, fmt: str) -> HttpResponse | StreamingHttpResponse:
    partners = require_visitator(request.user)
    _form, flats = _flat_rows(request, partners)
    headers = [
        _("Estate"),
        _("Project"),
        _("Stairwell"),
        _("Floor"),
        _("Door"),
        _("Postcode"),
        _("City"),
        _("Notice"),
        _("Packing"),
        _("Move-out"),
        _("Return"),
        _("State"),
    ]
    rows = [
        [
            flat.stairwell.estate.name,
            flat.project_name,
            str(flat.stairwell),
            format_floor(flat.floor),
            flat.door,
            flat.stairwell.postcode,
            flat.stairwell.city,
            flat.notice_on,
            flat.packing_on,
            flat.move_out_on,
            flat.return_on,
            str(flat.state.label),
        ]
        for flat in with_state(list(flats))
    ]
    # Flat level: no household is in the file, so the log has one row naming the file.
    return export_table(
        request,
        fmt=fmt,
        filename="berorte-boliger",
        what=FLAT_EXPORT_WHAT[fmt],
        headers=headers,
        rows=rows,
    )


@require_GET
def flat_export_pdf(request: AuthedRequest) -> HttpResponse:
    """A short list comes back as the PDF at once; a long one is ordered from the report worker
    (the reports' progress page and download)."""
    partners = require_visitator(request.user)
    form, flats = _flat_rows(request, partners)
    flats = list(flats)
    if flat_list_is_large(flats=flats):
        job = flat_list_order(by=request.user, partners=partners, query=request.GET)
        return redirect("reports:job", pk=job.pk)
    # Logged before rendering: a render that fails may still have shown data to no one, but a
    # request for the export is on record either way.
    log_access(request, what=FLAT_LIST_PDF_WHAT, action=AccessAction.EXPORT)
    pdf = flat_list_pdf(partners=partners, form=form, flats=flats, request=request)
    return pdf_response(pdf, export_name("pdf"))


def _log_view(request: AuthedRequest, what: str, shown: dict[int, list[int]]) -> None:
    """One row per resident whose details were shown, or per household where none was."""
    log_access(
        request,
        what=what,
        households=[household_id for household_id, residents in shown.items() if not residents],
        residents=[(h, r) for h, residents in shown.items() for r in residents],
    )


@require_GET
def household_list(request: AuthedRequest) -> HttpResponse:
    partners = require_visitator(request.user)
    page = Paginator(visitator_shared_households(partners=partners), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    households = list(page.object_list)
    scopes = visitator_shared_scopes(
        partners=partners, household_ids=[household.pk for household in households]
    )
    rows = []
    for household in households:
        scope = scopes[household.pk]
        names = [r for r in household.residents.all() if scope.shows_resident(r.pk)]
        rows.append({"household": household, "scope": scope, "residents": names})
    shown = {row["household"].pk: [r.pk for r in row["residents"]] for row in rows}
    _log_view(request, gettext_noop("shared households (list)"), shown)
    context = {"page": page, "rows": rows, "municipality": municipality_names(partners)}
    return render(request, "referrals/visitator/household_list.html", context)


@require_GET
def household_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    household, partners = get_household_for_visitator(request.user, pk)
    scope = visitator_shared_scopes(partners=partners, household_ids=[household.pk])[household.pk]
    data = shared_data(household=household, scope=scope, partners=partners)
    _log_view(request, gettext_noop("shared household page"), {household.pk: data.resident_ids()})
    context = {"household": household, "data": data}
    return render(request, "referrals/visitator/household_detail.html", context)


@require_GET
def referral_list(request: AuthedRequest) -> HttpResponse:
    partners = require_visitator(request.user)
    status = request.GET.get("status", "open")
    if status not in ("open", "closed", "all"):
        status = "open"
    referrals = visitator_referrals(partners=partners, status=status)
    page = Paginator(referrals, PAGE_SIZE).get_page(request.GET.get("page"))
    log_access(
        request,
        what=gettext_noop("referrals received (list)"),
        households=sorted({referral.household_id for referral in page.object_list}),
    )
    context = {"page": page, "status": status, "municipality": municipality_names(partners)}
    return render(request, "referrals/visitator/referral_list.html", context)


def _answer_choices(status: str) -> list[tuple[str, str]]:
    allowed = REFERRAL_TRANSITIONS.get(status, ())
    return [
        (value, str(ReferralStatus(value).label))
        for value in VISITATOR_REFERRAL_STATUSES
        if value in allowed
    ]


@require_GET
def referral_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    referral, partners = get_referral_for_visitator(request.user, pk)
    return _referral_page(request, referral, partners)


def _referral_page(request, referral, partners, form=None, status=200) -> HttpResponse:
    data = shared_data(
        household=referral.household, scope=referral_shared_scope(referral), partners=partners
    )
    choices = _answer_choices(referral.status)
    if form is None and choices:
        form = ReferralAnswerForm(choices=choices, initial={"expected_status": referral.status})
    _log_view(
        request, gettext_noop("referral received"), {referral.household_id: data.resident_ids()}
    )
    context = {
        "referral": referral,
        "data": data,
        "form": form,
        "events": referral.events.exclude(to_status=ReferralStatus.DRAFT).order_by("at", "pk"),
        # Her own answers show their notes; the team's notes on sending stay with the team.
        "answer_statuses": VISITATOR_REFERRAL_STATUSES,
    }
    return render(request, "referrals/visitator/referral_detail.html", context, status=status)


@require_POST
def referral_answer(request: AuthedRequest, pk: int) -> HttpResponse:
    referral, partners = get_referral_for_visitator(request.user, pk)
    form = ReferralAnswerForm(request.POST, choices=_answer_choices(referral.status))
    if not form.is_valid():
        if "to_status" in form.errors and form.data.get("expected_status") != referral.status:
            messages.warning(request, _("Someone else changed the referral meanwhile."))
            return redirect("referrals:visitator_referral", pk=referral.pk)
        return _referral_page(request, referral, partners, form=form, status=400)
    to_status = form.cleaned_data["to_status"]
    note = form.cleaned_data["note"]
    try:
        referral_transition(
            referral=referral,
            to_status=to_status,
            by=request.user,
            expected_status=form.cleaned_data["expected_status"],
            note=note,
            outcome=note if to_status == ReferralStatus.DONE and note else None,
        )
    except ConflictError as conflict:
        messages.warning(
            request,
            _("Someone else set the referral to “%(status)s” meanwhile. Nothing was changed.")
            % {"status": ReferralStatus(conflict.current.status).label},
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The referral is now “%(status)s”.") % {"status": ReferralStatus(to_status).label},
        )
    return redirect("referrals:visitator_referral", pk=referral.pk)
