"""Views of outreach: the contact log of a household, and the door-knock round."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.http import AuthedRequest
from core.once import ALREADY_SAVED, AlreadySaved
from core.permissions import require_perm
from households.audit import export_table, log_access
from households.models import AccessAction, Flat, Household
from households.permissions import (
    flats_for_user,
    get_household_for_user,
    get_stairwell_for_user,
)
from households.templatetags.people import staff_name
from outreach.forms import ContactForm, QuickKnockForm, TalkForm
from outreach.models import Channel, HelpTopic, HomeObservation
from outreach.permissions import can_view_observations, get_contact_for_user
from outreach.selectors import (
    ROUND_ALL_AT_ONCE,
    ROUND_FOUND,
    ROUND_MINE,
    ROUND_PAGE,
    by_estate,
    contact_summary,
    household_contacts,
    household_newest_contacts,
    round_by_floor,
    round_card,
    round_cards,
    round_estate,
    round_estate_choices,
    round_stairwell_counts,
    round_stairwells,
)
from outreach.services import UNDO_MINUTES, contact_record, contact_undo
from outreach.views import next_url

PAGE_SIZE = 50
MAX_CHOSEN_FLATS = 200


def undo_context(request: AuthedRequest) -> dict:
    """What templates need to offer "Undo" on the user's own contacts of the last minutes."""
    return {
        "can_observe": can_view_observations(request.user),
        "undo_after": timezone.now() - timedelta(minutes=UNDO_MINUTES),
    }


def log_context(request: AuthedRequest, household: Household, form: ContactForm | None) -> dict:
    """The contact log section of the household page (also rendered by the inclusion tag)."""
    contacts, summary = household_newest_contacts(household=household, count=6)
    return {
        **undo_context(request),
        "household": household,
        "summary": summary,
        "contacts": contacts[:5],
        "more": len(contacts) > 5,
        "form": form,
        "can_add": request.user.has_perm("outreach.add_contact"),
        "next": reverse("households:detail", args=[household.pk]),
    }


@require_GET
def contact_list(request: AuthedRequest, household_pk: int) -> HttpResponse:
    require_perm(request.user, "outreach.view_contact")
    household = get_household_for_user(request.user, household_pk)
    page = Paginator(household_contacts(household=household), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        **undo_context(request),
        "household": household,
        "summary": contact_summary(household=household),
        "page": page,
        "can_add": request.user.has_perm("outreach.add_contact"),
    }
    log_access(request, what=gettext_noop("contact log"), households=[household.pk])
    return render(request, "outreach/contacts/contact_list.html", context)


def _labels(values: list[str], choices) -> str:
    labels = dict(choices.choices)
    return ", ".join(str(labels[value]) for value in values if value in labels)


@require_GET
def contact_export(
    request: AuthedRequest, household_pk: int, fmt: str
) -> HttpResponse | StreamingHttpResponse:
    """The household's contact log; observations about the home only for who may see them."""
    require_perm(request.user, "outreach.view_contact")
    household = get_household_for_user(request.user, household_pk)
    observe = can_view_observations(request.user)
    headers = [
        _("Time"),
        _("Outcome"),
        _("Channel"),
        _("Staff"),
        _("Met"),
        _("Note"),
        *([_("Observations about the home"), _("About the home")] if observe else []),
        _("Needed help with"),
        _("Next step on"),
        _("Next step"),
    ]
    rows = [
        [
            contact.occurred_at,
            contact.get_outcome_display(),
            contact.get_channel_display(),
            staff_name(contact.staff),
            contact.met,
            contact.note,
            *(
                [_labels(contact.observations, HomeObservation), contact.observation_note]
                if observe
                else []
            ),
            _labels(contact.help_topics, HelpTopic),
            contact.next_step_on,
            contact.next_step,
        ]
        for contact in household_contacts(household=household)
    ]
    return export_table(
        request,
        fmt=fmt,
        filename="kontakter",
        what=gettext_noop("contact log (export)"),
        headers=headers,
        rows=rows,
        households=[household.pk],
    )


@require_http_methods(["GET", "POST"])
def contact_add(request: AuthedRequest, household_pk: int) -> HttpResponse:
    require_perm(request.user, "outreach.add_contact")
    household = get_household_for_user(request.user, household_pk)
    form = ContactForm(request.POST or None, can_observe=can_view_observations(request.user))
    form_open = True
    if request.method == "POST" and form.is_valid():
        try:
            contact_record(household=household, by=request.user, **form.contact_fields())
        except ValidationError as error:
            form.add_error(None, error)
        except AlreadySaved:
            messages.info(request, ALREADY_SAVED)
        else:
            messages.success(request, _("The contact is saved."))
        if not form.errors:
            if not request.htmx:
                return redirect(
                    next_url(request, reverse("households:detail", args=[household.pk]))
                )
            form, form_open = ContactForm(can_observe=can_view_observations(request.user)), False
    if request.htmx:  # the household page's contact log section, with the form
        log_access(request, what=gettext_noop("contact log"), households=[household.pk])
        context = {**log_context(request, household, form), "form_open": form_open}
        return render(request, "outreach/contacts/contact_log.html", context)
    log_access(request, what=gettext_noop("contact form"), households=[household.pk])
    back = next_url(request, reverse("households:detail", args=[household.pk]))
    context = {"household": household, "form": form, "next": back, **undo_context(request)}
    status = 400 if form.errors else 200
    return render(request, "outreach/contacts/contact_form.html", context, status=status)


@require_POST
def contact_undo_view(request: AuthedRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "outreach.add_contact")
    contact = get_contact_for_user(request.user, pk)
    household = contact.household
    try:
        contact_undo(contact=contact, by=request.user)
    except PermissionDenied as error:
        notice, level = str(error), messages.ERROR
    else:
        notice, level = _("Undone: the contact is deleted."), messages.SUCCESS
    if request.htmx:
        return _card(request, household, notice=notice, notice_level=level)
    messages.add_message(request, level, notice)
    return redirect(next_url(request, reverse("households:detail", args=[household.pk])))


# --- the door-knock round ---


def _chosen_flat_ids(request: AuthedRequest) -> list[int]:
    values = request.GET.getlist("bolig")[:MAX_CHOSEN_FLATS]
    return [int(value) for value in values if value.isdigit()]


def _round_context(request: AuthedRequest, flats: QuerySet[Flat]) -> dict:
    cards = round_cards(user=request.user, flats=flats)
    return {
        **undo_context(request),
        "stairwells": round_by_floor(cards),
        "households": sum(1 for card in cards if card.household),
        "open_flags": sum(len(card.flags) for card in cards),
        "round_url": request.get_full_path(),
        "today": timezone.localdate(),
    }


# The round shows each household's names, vulnerability and latest contact: a read of its
# contact log, logged per household on screen as on paper (round_print).
ROUND_SEEN = gettext_noop("door-knock round")


def _shown_households(context: dict) -> list[int]:
    return [
        card.household.pk
        for section in context["stairwells"]
        for floor in section.floors
        for card in floor.cards
        if card.household
    ]


@require_GET
def round_view(request: AuthedRequest) -> HttpResponse:
    """Choose a stairwell, or (with ?bolig=…) the round of flats chosen in the caseload."""
    require_perm(request.user, "outreach.add_contact")
    flat_ids = _chosen_flat_ids(request)
    if not flat_ids and "bolig" not in request.GET:
        return _round_choose(request)
    context = _round_context(request, flats_for_user(request.user).filter(pk__in=flat_ids))
    context["print_url"] = reverse("outreach:round_list_print") + "?" + request.GET.urlencode()
    log_access(request, what=ROUND_SEEN, households=_shown_households(context))
    return render(request, "outreach/contacts/round.html", context)


def _round_choose(request: AuthedRequest) -> HttpResponse:
    """The round's index: every stairwell at once when she sees few; else her own stairwells
    and the estates (?estate= lists one, a page at a time), and a search (?q=; htmx: the
    results alone). Its queries and size do not grow with the number of stairwells."""
    user = request.user
    estate = None
    if value := request.GET.get("estate"):
        estate = round_estate(user=user, pk=value)
        if estate is None:
            raise Http404
    q = " ".join(request.GET.get("q", "").split())[:100]
    context: dict = {"estate": estate, "q": q, "searchable": True}
    if not q and estate is None:
        estates = round_estate_choices(user=user)
        total = sum(choice.stairwells for choice in estates)
        context["estates"] = estates
        context["searchable"] = total > ROUND_ALL_AT_ONCE
        if len(estates) == 1 and total > ROUND_ALL_AT_ONCE:
            estate = context["estate"] = estates[0].estate
            context["only_estate"] = True
        elif total <= ROUND_ALL_AT_ONCE:
            every = list(round_stairwells(user=user))
            context["groups"] = by_estate(round_stairwell_counts(user=user, stairwells=every))
        else:
            mine = list(round_stairwells(user=user, mine_only=True)[: ROUND_MINE + 1])
            context["mine"] = round_stairwell_counts(user=user, stairwells=mine[:ROUND_MINE])
            context["more_mine"] = len(mine) > ROUND_MINE
    if q:
        found = list(round_stairwells(user=user, estate=estate, q=q)[: ROUND_FOUND + 1])
        context["found"] = round_stairwell_counts(user=user, stairwells=found[:ROUND_FOUND])
        context["more_found"] = len(found) > ROUND_FOUND
    elif estate is not None:
        stairwells = round_stairwells(user=user, estate=estate, mine_first=True)
        page = Paginator(stairwells, ROUND_PAGE).get_page(request.GET.get("page"))
        context["page"] = page
        context["choices"] = round_stairwell_counts(user=user, stairwells=list(page.object_list))
    template = "outreach/contacts/round_choose.html"
    if request.htmx and not request.htmx.history_restore_request:  # the search's results
        template += "#results"
    return render(request, template, context)


@require_GET
def round_stairwell(request: AuthedRequest, stairwell_pk: int) -> HttpResponse:
    require_perm(request.user, "outreach.add_contact")
    stairwell = get_stairwell_for_user(request.user, stairwell_pk)
    context = _round_context(request, flats_for_user(request.user).filter(stairwell=stairwell))
    context["stairwell"] = stairwell
    context["print_url"] = reverse("outreach:round_print", args=[stairwell.pk])
    log_access(request, what=ROUND_SEEN, households=_shown_households(context))
    return render(request, "outreach/contacts/round.html", context)


@require_GET
def round_print(request: AuthedRequest, stairwell_pk: int | None = None) -> HttpResponse:
    require_perm(request.user, "outreach.add_contact")
    if stairwell_pk is None:
        flats = flats_for_user(request.user).filter(pk__in=_chosen_flat_ids(request))
        back_url = reverse("outreach:round") + "?" + request.GET.urlencode()
    else:
        stairwell = get_stairwell_for_user(request.user, stairwell_pk)
        flats = flats_for_user(request.user).filter(stairwell=stairwell)
        back_url = reverse("outreach:round_stairwell", args=[stairwell.pk])
    context = {**_round_context(request, flats), "back_url": back_url}
    log_access(
        request,
        what=gettext_noop("door-knock list"),
        action=AccessAction.PRINT,
        households=_shown_households(context),
    )
    return render(request, "outreach/contacts/round_print.html", context)


def _card(request: AuthedRequest, household: Household, **extra) -> HttpResponse:
    """The flat's card in the round (for htmx), or back to the round at that flat."""
    back = next_url(
        request, reverse("outreach:round_stairwell", args=[household.flat.stairwell_id])
    )
    if not request.htmx:
        return redirect(f"{back}#bolig-{household.flat_id}")
    context = {
        **undo_context(request),
        "card": round_card(user=request.user, household=household),
        "round_url": back,
        "today": timezone.localdate(),
        **extra,
    }
    return render(request, "outreach/contacts/round.html#card", context)


@require_POST
def round_knock(request: AuthedRequest, household_pk: int) -> HttpResponse:
    """One tap: knocked, nobody answered (or a note was left)."""
    require_perm(request.user, "outreach.add_contact")
    household = get_household_for_user(request.user, household_pk)
    form = QuickKnockForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("Choose “No answer” or “Note left”."), status=400)
    try:
        contact_record(
            household=household,
            by=request.user,
            channel=Channel.DOOR_KNOCK,
            outcome=form.cleaned_data["outcome"],
            once_key=form.cleaned_data["once_key"],
        )
    except AlreadySaved:
        return _already_saved_card(request, household)
    return _card(request, household)


def _already_saved_card(request: AuthedRequest, household: Household) -> HttpResponse:
    if not request.htmx:
        messages.info(request, ALREADY_SAVED)
    return _card(request, household, notice=ALREADY_SAVED, notice_level=messages.INFO)


@require_http_methods(["GET", "POST"])
def round_talk(request: AuthedRequest, household_pk: int) -> HttpResponse:
    """The short form after a talk at the door; saving swaps the flat's card."""
    require_perm(request.user, "outreach.add_contact")
    household = get_household_for_user(request.user, household_pk)
    form = TalkForm(
        request.POST or None,
        can_observe=can_view_observations(request.user),
        auto_id=f"id_talk{household.pk}_%s",  # several cards may have their form open
    )
    if request.method == "POST" and form.is_valid():
        try:
            contact_record(
                household=household,
                by=request.user,
                channel=Channel.DOOR_KNOCK,
                **form.contact_fields(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        except AlreadySaved:
            return _already_saved_card(request, household)
        else:
            return _card(request, household)
    if request.method == "GET":
        log_access(request, what=ROUND_SEEN, households=[household.pk])
    if request.htmx:
        return _card(request, household, talk_form=form)
    context = {
        **undo_context(request),
        "card": round_card(user=request.user, household=household),
        "talk_form": form,
        "today": timezone.localdate(),
        "round_url": next_url(
            request, reverse("outreach:round_stairwell", args=[household.flat.stairwell_id])
        ),
    }
    status = 400 if form.errors else 200
    return render(request, "outreach/contacts/round_talk.html", context, status=status)


@require_GET
def round_card_view(request: AuthedRequest, household_pk: int) -> HttpResponse:
    """The card again (after "Cancel" on the talk form)."""
    require_perm(request.user, "outreach.add_contact")
    household = get_household_for_user(request.user, household_pk)
    if request.htmx:  # a plain GET is sent back to the round, which logs
        log_access(request, what=ROUND_SEEN, households=[household.pk])
    return _card(request, household)
