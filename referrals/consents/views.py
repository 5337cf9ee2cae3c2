"""Consent pages of a household: the list with history, recording (and replacing) a consent,
withdrawing it, and the permission-checked download of its evidence."""

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods

from cases.models import CaseAssignment
from core.http import AuthedRequest
from core.once import ALREADY_SAVED, AlreadySaved
from core.permissions import require_perm
from core.uploads import private_file_response
from households.audit import export_table, log_access
from households.models import AccessAction, Household
from households.templatetags.people import staff_name
from outreach.views.contacts import next_url
from referrals.consents.forms import ConsentForm, ConsentWithdrawForm
from referrals.consents.permissions import get_consent_for_user
from referrals.consents.selectors import consent_status, household_consents
from referrals.consents.services import consent_record, consent_withdraw
from referrals.models import Consent, DataCategory, PartnerKind, Purpose
from referrals.permissions import get_household_with_perm, referrals_for_user
from referrals.selectors import partner_choices


def _log_consent(request: AuthedRequest, consent: Consent, what: str, **kwargs) -> None:
    """A read of one consent: of its resident when it is hers, else of the household."""
    resident = consent.resident_id
    log_access(
        request,
        what=what,
        households=[] if resident else [consent.household_id],
        residents=[(consent.household_id, resident)] if resident else [],
        **kwargs,
    )


@require_GET
def consent_list(request: AuthedRequest, household_pk: int) -> HttpResponse:
    household = get_household_with_perm(request.user, household_pk, "referrals.view_consent")
    context = {
        "household": household,
        "rows": household_consents(household=household),
        "can_add": request.user.has_perm("referrals.add_consent"),
    }
    log_access(request, what=gettext_noop("consents of a household"), households=[household.pk])
    return render(request, "referrals/consents/consent_list.html", context)


@require_GET
def consent_export(
    request: AuthedRequest, household_pk: int, fmt: str
) -> HttpResponse | StreamingHttpResponse:
    household = get_household_with_perm(request.user, household_pk, "referrals.view_consent")
    rows = [
        [
            str(consent.recipient),
            consent.get_purpose_display(),
            "; ".join(str(label) for label in consent.category_labels()),
            consent.resident.full_name if consent.resident else consent.given_by,
            consent.get_method_display(),
            staff_name(consent.witness) if consent.method == "oral" else "",
            consent.given_on,
            consent.expires_on,
            status.label,
        ]
        for consent, status in household_consents(household=household)
    ]
    headers = [
        _("Recipient"),
        _("Purpose"),
        _("Data"),
        _("Given by"),
        _("Method"),
        _("Witness"),
        _("Given on"),
        _("Expires"),
        _("Status"),
    ]
    return export_table(
        request,
        fmt=fmt,
        filename="samtykker",
        what=gettext_noop("consents of a household (export)"),
        headers=headers,
        rows=rows,
        households=[household.pk],
    )


@require_GET
def consent_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    consent = get_consent_for_user(request.user, pk)
    context = {
        "consent": consent,
        "household": consent.household,
        "status": consent_status(consent),
        "referrals": referrals_for_user(request.user)
        .filter(consent=consent)
        .select_related("partner"),
        "can_replace": request.user.has_perm("referrals.add_consent"),
        "can_withdraw": request.user.has_perm("referrals.add_consentwithdrawal"),
    }
    _log_consent(request, consent, gettext_noop("consent"))
    return render(request, "referrals/consents/consent_detail.html", context)


def _witnesses(request: AuthedRequest, household: Household) -> list[User]:
    """Who may witness an oral consent: the one recording it, and the staff on the household."""
    staff = {request.user.pk: request.user}
    for assignment in CaseAssignment.objects.filter(case__household=household).select_related(
        "user"
    ):
        staff.setdefault(assignment.user_id, assignment.user)
    return list(staff.values())


def _prefill(request: AuthedRequest) -> dict:
    """A consent form filled from the query string (the referral page's "record consent")."""
    query = request.GET
    initial: dict = {}
    if query.get("partner", "").isdigit():
        initial["recipient"] = f"p:{query['partner']}"
    elif query.get("kind") in PartnerKind.values:
        initial["recipient"] = f"k:{query['kind']}"
    if query.get("purpose") in Purpose.values:
        initial["purpose"] = query["purpose"]
    categories = [c for c in query.getlist("categories") if c in DataCategory.values]
    if categories:
        initial["categories"] = categories
    if query.get("resident", "").isdigit():
        initial["resident"] = query["resident"]
    return initial


def _from_consent(consent: Consent) -> dict:
    return {
        "resident": str(consent.resident_id or ""),
        "given_by": consent.given_by,
        "recipient": f"p:{consent.partner_id}"
        if consent.partner_id
        else f"k:{consent.partner_kind}",
        "purpose": consent.purpose,
        "categories": consent.categories,
        "method": consent.method,
        "witness": consent.witness_id,
        "expires_on": consent.expires_on,
    }


def _consent_form(
    request: AuthedRequest, household: Household, *, initial: dict, replaces: Consent | None
) -> HttpResponse:
    require_perm(request.user, "referrals.add_consent")
    form = ConsentForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        household=household,
        partners=partner_choices(user=request.user, household=household),
        witnesses=_witnesses(request, household),
    )
    back = next_url(request, reverse("referrals:consents", args=[household.pk]))
    if request.method == "POST" and form.is_valid():
        try:
            consent_record(
                household=household,
                by=request.user,
                replaces=replaces,
                **form.service_arguments(),
            )
        except ValidationError as error:
            form.add_service_errors(error.message_dict)
        except AlreadySaved as already:
            messages.info(request, ALREADY_SAVED)
            if already.saved is None:
                return redirect(back)
            return redirect("referrals:consent", pk=already.saved.pk)
        else:
            messages.success(request, _("The consent is recorded."))
            return redirect(back)
    if form.is_bound and form.errors and request.FILES:
        messages.warning(request, _("Choose the file again: it was not saved."))
    context = {"household": household, "form": form, "replaces": replaces, "next": back}
    status = 400 if form.is_bound and form.errors else 200
    log_access(request, what=gettext_noop("consent form"), households=[household.pk])
    return render(request, "referrals/consents/consent_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
def consent_create(request: AuthedRequest, household_pk: int) -> HttpResponse:
    household = get_household_with_perm(request.user, household_pk, "referrals.view_consent")
    return _consent_form(request, household, initial=_prefill(request), replaces=None)


@require_http_methods(["GET", "POST"])
def consent_replace(request: AuthedRequest, pk: int) -> HttpResponse:
    consent = get_consent_for_user(request.user, pk)
    if hasattr(consent, "replaced_by"):
        messages.warning(request, _("This consent has already been replaced."))
        return redirect("referrals:consent", pk=consent.replaced_by.pk)
    household = get_household_with_perm(
        request.user, consent.household_id, "referrals.view_consent"
    )
    return _consent_form(request, household, initial=_from_consent(consent), replaces=consent)


@require_http_methods(["GET", "POST"])
def consent_withdraw_view(request: AuthedRequest, pk: int) -> HttpResponse:
    consent = get_consent_for_user(request.user, pk)
    require_perm(request.user, "referrals.add_consentwithdrawal")
    form = ConsentWithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            consent_withdraw(consent=consent, by=request.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("The consent is withdrawn. Nothing more is shared under it.")
            )
        return redirect("referrals:consents", household_pk=consent.household_id)
    context = {"consent": consent, "household": consent.household, "form": form}
    _log_consent(request, consent, gettext_noop("consent withdrawal form"))
    return render(request, "referrals/consents/consent_withdraw.html", context)


@require_GET
def consent_evidence(request: AuthedRequest, pk: int) -> FileResponse:
    consent = get_consent_for_user(request.user, pk)
    if not consent.evidence:
        raise Http404
    response = private_file_response(consent.evidence, filename=f"samtykke-{consent.pk}")
    _log_consent(request, consent, gettext_noop("consent evidence"), action=AccessAction.DOWNLOAD)
    return response
