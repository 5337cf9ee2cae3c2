"""Pages of the rehousing logistics: the matching board, a case's suitable flats, offers and
moves, the pool of flats, and the week's moves."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.economy.rent_views import case_rent_context
from cases.logistics import selectors, services
from cases.logistics.forms import (
    HousingNeedForm,
    MoveForm,
    MovePlanForm,
    OfferForm,
    OfferReplyForm,
    PoolFilterForm,
    PoolFlatForm,
    RequiredOffersForm,
)
from cases.logistics.matching import ranked_pool_flats_and_window
from cases.logistics.models import OfferStatus, RehousingKind
from cases.logistics.permissions import (
    get_case_for_logistics,
    get_move_for_user,
    get_offer_for_user,
    get_organisation_for_waterbed,
    get_pool_flat_for_user,
    get_project_for_logistics,
    pool_organisations,
)
from cases.logistics.waterbed import destination_warning, waterbed_report
from cases.models import Case, Project
from cases.permissions import can_view_project
from core.http import AuthedRequest
from core.once import ALREADY_SAVED, AlreadySaved, once_key_from
from core.pdf import pdf_response, render_pdf
from core.permissions import require_perm
from core.versioning import ConflictError
from households.audit import export_table, log_access
from households.models import AccessAction, Flat
from households.pickers import flat_picker

POOL_PAGE_SIZE = 50


def _errors(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- The matching board ------------------------------------------------------------------------


def _board_context(request: AuthedRequest, project: Project) -> dict:
    today = timezone.localdate()
    return {
        "project": project,
        "board": selectors.matching_board(
            project=project, today=today, page_number=request.GET.get("page")
        ),
        "today": today,
        "can_offer": request.user.has_perm("cases.add_offer"),
        "can_set_rule": request.user.has_perm("cases.change_project"),
    }


@require_GET
def board(request: AuthedRequest, pk: int) -> HttpResponse:
    project = get_project_for_logistics(request.user, pk, perm="cases.view_poolflat")
    return render(request, "cases/logistics/board.html", _board_context(request, project))


@require_POST
def board_offer(request: AuthedRequest, pk: int) -> HttpResponse:
    """Offer a suggested flat from the board: reserve it and send the offer (letter, a week)."""
    project = get_project_for_logistics(request.user, pk, perm="cases.add_offer")
    case = get_case_for_logistics(
        request.user, _int(request.POST.get("case")), perm="cases.add_offer", for_change=True
    )
    if case.project_id != project.pk:
        raise Http404
    pool_flat = get_pool_flat_for_user(request.user, _int(request.POST.get("pool_flat")))
    try:
        offer = services.offer_make(
            case=case, pool_flat=pool_flat, by=request.user, once_key=once_key_from(request.POST)
        )
    except ValidationError as error:
        messages.error(request, _errors(error))
    except AlreadySaved:
        messages.info(request, ALREADY_SAVED)
    else:
        messages.success(
            request,
            _("%(address)s is reserved and offered to %(household)s; reply due %(day)s.")
            % {
                "address": pool_flat.flat.address,
                "household": case.household.display_name(),
                "day": f"{offer.reply_due_on:%d.%m.%Y}",
            },
        )
        if offer.kind == RehousingKind.PERMANENT:
            _warn_of_waterbed(request, case, pool_flat.flat)
    if request.htmx:
        return render(request, "cases/logistics/board.html#board", _board_context(request, project))
    return redirect(reverse("logistics:board", args=[project.pk]) + _page_query(request))


@require_POST
def project_required_offers(request: AuthedRequest, pk: int) -> HttpResponse:
    project = get_project_for_logistics(request.user, pk, perm="cases.change_project")
    form = RequiredOffersForm(request.POST)
    if form.is_valid():
        services.project_set_required_offers(
            project=project, required_offers=form.cleaned_data["required_offers"]
        )
        messages.success(request, _("The rule on offers is saved."))
    else:
        messages.error(request, _("Give a number from 0 to 10."))
    return redirect("logistics:board", pk=project.pk)


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def _page_query(request: AuthedRequest) -> str:
    page = request.POST.get("page") or request.GET.get("page")
    return f"?page={_int(page)}" if page else ""


# --- One case: its suitable flats, needs, offers and moves -------------------------------------


@require_GET
def case_flats(request: AuthedRequest, pk: int) -> HttpResponse:
    case = get_case_for_logistics(request.user, pk, perm="cases.view_poolflat")
    matches, window = ranked_pool_flats_and_window(case=case, today=timezone.localdate())
    context = {
        "case": case,
        "matches": matches,
        "window": window,
        "need": selectors.case_need(case=case),
        "can_offer": request.user.has_perm("cases.add_offer")
        and case.stage in services.BEFORE_THE_MOVE,
        "offer_form": OfferForm(reply_days=case.project.reply_days),
    }
    log_access(request, what=gettext_noop("suitable flats"), households=[case.household_id])
    return render(request, "cases/logistics/case_flats.html", context)


@require_POST
def case_offer(request: AuthedRequest, pk: int) -> HttpResponse:
    case = get_case_for_logistics(request.user, pk, perm="cases.add_offer", for_change=True)
    form = OfferForm(request.POST, reply_days=case.project.reply_days)
    if not form.is_valid():
        messages.error(request, _("Choose a flat and a channel."))
        return redirect("logistics:case_flats", pk=case.pk)
    pool_flat = get_pool_flat_for_user(request.user, form.cleaned_data["pool_flat"])
    try:
        offer = services.offer_make(
            case=case,
            pool_flat=pool_flat,
            by=request.user,
            sent_via=form.cleaned_data["sent_via"],
            reply_due_on=form.cleaned_data["reply_due_on"],
            other_municipality_agreed=form.cleaned_data["other_municipality_agreed"],
            once_key=form.cleaned_data["once_key"],
        )
    except ValidationError as error:
        messages.error(request, _errors(error))
        return redirect("logistics:case_flats", pk=case.pk)
    except AlreadySaved:
        messages.info(request, ALREADY_SAVED)
        return redirect("logistics:case", pk=case.pk)
    messages.success(request, _("The flat is reserved and the offer registered."))
    if offer.kind == RehousingKind.PERMANENT:
        _warn_of_waterbed(request, case, pool_flat.flat)
    return redirect("logistics:case", pk=case.pk)


def _case_context(request: AuthedRequest, case: Case, **overrides) -> dict:
    today = timezone.localdate()
    offers = selectors.case_offers(case=case)
    moves = selectors.case_moves(case=case)
    user = request.user
    planned_kinds = {move.kind for move in moves}
    kinds = [kind for kind in selectors.move_kinds_possible(case=case) if kind not in planned_kinds]
    can_plan = user.has_perm("cases.add_move") and case.is_open and bool(kinds)
    context = {
        "case": case,
        "household": case.household,
        "offers": offers,
        "offer_count": selectors.offer_count(case=case, offers=offers),
        "moves": moves,
        "need": selectors.case_need(case=case),
        "whereabouts": selectors.case_whereabouts(case=case, moves=moves, today=today),
        "today": today,
        "can_reply": user.has_perm("cases.change_offer") and not case.is_closed,
        "can_find": user.has_perm("cases.view_poolflat"),
        "can_view_project": can_view_project(user, case.project),
        "can_edit_need": user.has_perm("cases.change_housingneed") and not case.is_closed,
        "can_edit_move": user.has_perm("cases.change_move") and not case.is_closed,
        "reply_form": OfferReplyForm(),
        "plan_form": MovePlanForm(kinds=kinds, initial=_plan_initial(case)) if can_plan else None,
        "waterbed": _permanent_waterbed(case),
    }
    context.update(overrides)
    return context


def _plan_initial(case: Case) -> dict:
    schedule = selectors.case_dates(case=case)
    return {"moves_on": schedule.get("move_out_on"), "paid_by_project": True}


def _permanent_waterbed(case: Case) -> str:
    return destination_warning(case=case, flat=case.permanent_flat)


def _warn_of_waterbed(request: AuthedRequest, case: Case, flat: Flat | None) -> None:
    """A warning, never a refusal: the area has had its share of vulnerable households."""
    warning = destination_warning(case=case, flat=flat)
    if warning:
        messages.warning(request, _("Waterbed: %(warning)s") % {"warning": warning})


@require_GET
def case_logistics(request: AuthedRequest, pk: int) -> HttpResponse:
    case = get_case_for_logistics(request.user, pk, perm="cases.view_offer")
    context = {**_case_context(request, case), **case_rent_context(request, case)}
    log_access(request, what=gettext_noop("offers and moves"), households=[case.household_id])
    return render(request, "cases/logistics/case_logistics.html", context)


@require_http_methods(["GET", "POST"])
def need_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    case = get_case_for_logistics(
        request.user, pk, perm="cases.change_housingneed", for_change=True
    )
    need = selectors.case_need(case=case)
    initial = {} if need else {"kind": services.default_need_kind(case.project)}
    form = HousingNeedForm(
        request.POST or None,
        instance=need,
        initial=initial,
        areas=selectors.organisation_areas(organisation_id=case.project.estate.organisation_id),
    )
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in services.HOUSING_NEED_FIELDS}
        services.housing_need_save(case=case, by=request.user, data=data)
        messages.success(request, _("The housing needs are saved."))
        return redirect("logistics:case", pk=case.pk)
    status = 400 if form.is_bound and form.errors else 200
    context = {"case": case, "form": form}
    log_access(request, what=gettext_noop("housing needs"), households=[case.household_id])
    return render(request, "cases/logistics/need_form.html", context, status=status)


@require_POST
def offer_reply(request: AuthedRequest, pk: int) -> HttpResponse:
    offer = get_offer_for_user(request.user, pk, for_change=True)
    if offer.case.is_closed:
        raise PermissionDenied
    form = OfferReplyForm(request.POST)
    if form.is_valid():
        try:
            offer = services.offer_reply(offer=offer, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, _errors(error))
        else:
            messages.success(
                request,
                _("The offer is now “%(status)s”.") % {"status": OfferStatus(offer.status).label},
            )
            if offer.status == OfferStatus.ACCEPTED and offer.kind == RehousingKind.PERMANENT:
                _warn_of_waterbed(request, offer.case, offer.pool_flat.flat)
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(reverse("logistics:case", args=[offer.case_id]) + "#offers")


@require_POST
def move_plan(request: AuthedRequest, pk: int) -> HttpResponse:
    case = get_case_for_logistics(request.user, pk, perm="cases.add_move", for_change=True)
    form = MovePlanForm(request.POST, kinds=selectors.move_kinds_possible(case=case))
    if form.is_valid():
        data = {
            name: form.cleaned_data[name]
            for name in ("starts_at", "movers", "movers_booked", "paid_by_project", "note")
        }
        try:
            services.move_plan(
                case=case,
                kind=form.cleaned_data["kind"],
                moves_on=form.cleaned_data["moves_on"],
                by=request.user,
                data=data,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The move is planned."))
            return redirect(reverse("logistics:case", args=[case.pk]) + "#moves")
    context = _case_context(request, case, plan_form=form)
    return render(request, "cases/logistics/case_logistics.html", context, status=400)


@require_http_methods(["GET", "POST"])
def move_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    move = get_move_for_user(request.user, pk, for_change=True)
    if move.case.is_closed:
        raise PermissionDenied
    form = MoveForm(request.POST or None, instance=move)
    conflict = False
    if request.method == "POST" and "cancel" in request.POST:
        try:
            services.move_cancel(move=move, by=request.user)
        except ValidationError as error:
            messages.error(request, _errors(error))
        else:
            messages.success(request, _("The move is cancelled."))
        return redirect(reverse("logistics:case", args=[move.case_id]) + "#moves")
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in services.MOVE_EDITABLE_FIELDS}
        try:
            services.move_update(
                move=move,
                by=request.user,
                expected_version=form.cleaned_data["version"] or move.version,
                data=data,
                done=form.cleaned_data["done"],
            )
        except ConflictError:
            conflict = True
            form.add_error(None, _("Someone else saved the move meanwhile. Check and save again."))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The move is saved."))
            return redirect(reverse("logistics:case", args=[move.case_id]) + "#moves")
    status = 409 if conflict else 400 if form.is_bound and form.errors else 200
    context = {"move": move, "case": move.case, "form": form}
    log_access(request, what=gettext_noop("move form"), households=[move.case.household_id])
    return render(request, "cases/logistics/move_form.html", context, status=status)


# --- The pool -----------------------------------------------------------------------------------


def _pool_query(request: AuthedRequest, today: date):
    """The pool page's form and flats: one query for the page and its exports."""
    require_perm(request.user, "cases.view_poolflat")
    form = PoolFilterForm(request.GET, areas=selectors.pool_areas(user=request.user))
    return form, selectors.pool_list(user=request.user, filters=form.filters(), today=today)


@require_GET
def pool_list(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    form, flats = _pool_query(request, today)
    page = Paginator(flats, POOL_PAGE_SIZE).get_page(request.GET.get("page"))
    holders = {hold.case_id for flat in page.object_list for hold in flat.current_holds}
    context = {
        "form": form,
        "page": page,
        "today": today,
        "visible_cases": selectors.visible_case_ids(user=request.user, case_ids=holders),
        "can_add": request.user.has_perm("cases.add_poolflat"),
        "can_change": request.user.has_perm("cases.change_poolflat"),
    }
    return render(request, "cases/logistics/pool_list.html", context)


@require_GET
def pool_export(request: AuthedRequest, fmt: str) -> HttpResponse | StreamingHttpResponse:
    """The pool as on the page: flat level, a hold named by its case number where visible."""
    _form, flats = _pool_query(request, timezone.localdate())
    flats = list(flats)
    holders = {hold.case_id for flat in flats for hold in flat.current_holds}
    visible = selectors.visible_case_ids(user=request.user, case_ids=holders)

    def held_by(pool_flat) -> str:
        return "; ".join(
            (
                _("Case #%(id)s") % {"id": hold.case_id}
                if hold.case_id in visible
                else _("another project")
            )
            + f" ({hold.get_status_display().lower()})"
            for hold in pool_flat.current_holds
        )

    rows = [
        [
            pool_flat.flat.address,
            pool_flat.flat.stairwell.estate.name,
            pool_flat.flat.stairwell.estate.area,
            pool_flat.get_kind_display(),
            pool_flat.flat.rooms,
            pool_flat.flat.area_m2,
            pool_flat.rent,
            pool_flat.step_free,
            pool_flat.has_lift,
            pool_flat.pets_allowed,
            pool_flat.available_from,
            pool_flat.available_to,
            held_by(pool_flat) or _("free"),
        ]
        for pool_flat in flats
    ]
    headers = [
        _("Address"),
        _("Estate"),
        _("Neighbourhood"),
        _("Use"),
        _("Rooms"),
        _("m²"),
        _("Rent (kr.)"),
        _("Step-free"),
        _("Lift"),
        _("Pets"),
        _("Available from"),
        _("Available until"),
        _("Held by"),
    ]
    # Flat level: no household is in the file, so the log has one row naming the file.
    return export_table(
        request,
        fmt=fmt,
        filename="genhusningsboliger",
        what=gettext_noop("pool of flats (export)"),
        headers=headers,
        rows=rows,
    )


@require_http_methods(["GET", "POST"])
def pool_add(request: AuthedRequest) -> HttpResponse:
    form = _pool_add_form(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {
            name: form.cleaned_data[name]
            for name in services.POOL_FLAT_EDITABLE_FIELDS
            if name in form.cleaned_data
        }
        try:
            services.pool_flat_add(
                organisation=form.cleaned_data["organisation"],
                flat=form.cleaned_data["flat"],
                by=request.user,
                data=data,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The flat is in the pool."))
            return redirect("logistics:pool")
    status = 400 if form.is_bound and form.errors else 200
    context = {
        "form": form,
        "picker": flat_picker(form["flat"], q=request.GET.get("q", ""), no_match=POOL_NO_MATCH),
    }
    return render(request, "cases/logistics/pool_form.html", context, status=status)


POOL_NO_MATCH = gettext_lazy("No flat of your organisations matches.")


@require_GET
def pool_flat_search(request: AuthedRequest) -> HttpResponse:
    """The type-ahead of the pool form's flat picker: a few flats she may add, matching."""
    picker = flat_picker(
        _pool_add_form(request)["flat"],
        q=request.GET.get("q", ""),
        current=request.GET.get("flat", ""),
        listed=False,
        no_match=POOL_NO_MATCH,
    )
    return render(request, "includes/typeahead_choices.html", picker)


def _pool_add_form(request: AuthedRequest, data=None) -> PoolFlatForm:
    """The form adding a flat to the pool of one of her organisations (403 if she may not)."""
    require_perm(request.user, "cases.add_poolflat")
    organisations = pool_organisations(request.user)
    if not organisations:
        raise PermissionDenied
    return PoolFlatForm(
        data,
        flats=selectors.pool_flat_choices(organisation_ids={o.pk for o in organisations}),
        organisations=organisations,
    )


@require_http_methods(["GET", "POST"])
def pool_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    pool_flat = get_pool_flat_for_user(request.user, pk, for_change=True)
    form = PoolFlatForm(
        request.POST or None,
        instance=pool_flat,
        flats=Flat.objects.filter(pk=pool_flat.flat_id).select_related("stairwell__estate"),
        organisations=pool_organisations(request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in services.POOL_FLAT_EDITABLE_FIELDS}
        try:
            services.pool_flat_update(
                pool_flat=pool_flat,
                by=request.user,
                expected_version=form.cleaned_data["version"] or pool_flat.version,
                data=data,
            )
        except ConflictError:
            form.add_error(None, _("Someone else saved the flat meanwhile. Check and save again."))
        else:
            messages.success(request, _("The pool flat is saved."))
            return redirect("logistics:pool")
    status = 400 if form.is_bound and form.errors else 200
    context = {"form": form, "pool_flat": pool_flat}
    return render(request, "cases/logistics/pool_form.html", context, status=status)


# --- The week's moves --------------------------------------------------------------------------


@require_GET
def week(request: AuthedRequest, pk: int) -> HttpResponse:
    project = get_project_for_logistics(request.user, pk, perm="cases.view_move", pool=False)
    try:
        day = date.fromisoformat(request.GET.get("uge", ""))
    except ValueError:
        day = timezone.localdate()
    context = {
        "project": project,
        "week": selectors.project_week(project=project, starts_on=selectors.week_start(day)),
        "today": timezone.localdate(),
        "can_edit_move": request.user.has_perm("cases.change_move"),
    }
    return render(request, "cases/logistics/week.html", context)


# --- The waterbed --------------------------------------------------------------------------------


def _waterbed_context(request: AuthedRequest, pk: int) -> dict:
    organisation = get_organisation_for_waterbed(request.user, pk)
    today = timezone.localdate()
    return {
        "organisation": organisation,
        "report": waterbed_report(organisation=organisation, today=today),
        "today": today,
    }


@require_GET
def waterbed(request: AuthedRequest, pk: int) -> HttpResponse:
    return render(request, "cases/logistics/waterbed.html", _waterbed_context(request, pk))


@require_GET
def waterbed_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    """Aggregated numbers only: no household, no address, no name."""
    context = _waterbed_context(request, pk)
    pdf = render_pdf("cases/logistics/waterbed_pdf.html", context, request=request)
    log_access(request, what=gettext_noop("waterbed monitoring (PDF)"), action=AccessAction.EXPORT)
    return pdf_response(pdf, f"vandseng-{context['today']:%Y-%m-%d}.pdf")
