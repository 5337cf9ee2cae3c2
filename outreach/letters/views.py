"""The manager's pages of letter templates: the list, a new template, its page with the
version history, and the editor of one language's text with a preview for a real household."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods

from cases.models import Case
from core.http import AuthedRequest
from core.once import ALREADY_SAVED, AlreadySaved
from core.permissions import require_perm
from core.versioning import ConflictError, conflict_notice
from households.audit import log_access
from households.selectors import household_search
from households.templatetags.people import language_name
from outreach.letters.forms import (
    StaffContactForm,
    TemplateCreateForm,
    TemplateForm,
    VersionForm,
)
from outreach.letters.models import RTL_LANGUAGES, LetterLanguage, LetterTemplate, StaffContact
from outreach.letters.permissions import (
    get_template_for_user,
    preview_households_for_user,
    template_organisations_for_user,
    templates_for_user,
)
from outreach.letters.rendering import PLACEHOLDERS, context_for, render_html
from outreach.letters.rendering import render as render_text
from outreach.letters.services import (
    StaleVersionError,
    current_version,
    current_versions,
    staff_contact_save,
    template_create,
    template_update,
    text_errors,
    version_save,
    versions_by_language,
)
from outreach.letters.standard_texts import standard_text

HOUSEHOLD_SEARCH_LIMIT = 15


@require_GET
def template_list(request: AuthedRequest) -> HttpResponse:
    require_perm(request.user, "outreach.view_lettertemplate")
    templates = list(
        templates_for_user(request.user)
        .select_related("organisation")
        .prefetch_related("versions")
        .order_by("organisation__name", "kind", "name")
    )
    rows = []
    for template in templates:
        newest: dict[str, int] = {}
        for version in template.versions.all():
            newest[version.language] = max(newest.get(version.language, 0), version.number)
        rows.append(
            {
                "template": template,
                "languages": [
                    (str(LetterLanguage(language).label), newest[language])
                    for language in LetterLanguage.values
                    if language in newest
                ],
            }
        )
    context = {
        "rows": rows,
        "several_organisations": len({template.organisation_id for template in templates}) > 1,
        "can_add": request.user.has_perm("outreach.add_lettertemplate"),
    }
    return render(request, "outreach/letters/template_list.html", context)


@require_http_methods(["GET", "POST"])
def template_new(request: AuthedRequest) -> HttpResponse:
    require_perm(request.user, "outreach.add_lettertemplate")
    organisations = template_organisations_for_user(request.user)
    if not organisations.exists():
        raise PermissionDenied
    form = TemplateCreateForm(
        request.POST or None,
        organisations=organisations,
        initial={"kind": request.GET.get("kind", "")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            template = template_create(
                organisation=data["organisation"],
                kind=data["kind"],
                name=data["name"],
                from_standard=data["from_standard"],
                by=request.user,
                once_key=data["once_key"],
            )
        except AlreadySaved as saved:
            messages.info(request, ALREADY_SAVED)
            if saved.saved is None:
                return redirect("outreach:templates")
            return redirect("outreach:template", pk=saved.saved.pk)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The template is created."))
            if template.versions.exists():
                return redirect("outreach:template", pk=template.pk)
            return redirect("outreach:template_edit", pk=template.pk, language="da")
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "outreach/letters/template_new.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def template_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    template = get_template_for_user(request.user, pk)
    form = TemplateForm(
        request.POST or None, instance=template, initial={"version": template.version}
    )
    conflict = None
    if request.method == "POST":
        require_perm(request.user, "outreach.change_lettertemplate")
        if form.is_valid():
            try:
                template_update(
                    template=template,
                    expected_version=form.cleaned_data["version"],
                    name=form.cleaned_data["name"],
                    active=form.cleaned_data["active"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            except ConflictError as error:
                conflict, rebound = conflict_notice(form, error)
                form = TemplateForm(rebound, instance=error.current)
            else:
                messages.success(request, _("The template is saved."))
                return redirect("outreach:template", pk=template.pk)
    newest = current_versions(template)
    danish = newest.get(LetterLanguage.DANISH)
    languages = [
        {
            "code": code,
            "label": label,
            "current": newest.get(code),
            # A translation written from an older Danish text than the current one.
            "outdated": code != LetterLanguage.DANISH
            and newest.get(code) is not None
            and danish is not None
            and newest[code].translates_id != danish.pk,
            "has_standard": standard_text(template.kind, code) is not None,
        }
        for code, label in LetterLanguage.choices
    ]
    context = {
        "template": template,
        "form": form,
        "conflict": conflict,
        "languages": languages,
        "has_danish": danish is not None,
        "history": versions_by_language(template),
    }
    status = 409 if conflict else 400 if form.is_bound and form.errors else 200
    return render(request, "outreach/letters/template_detail.html", context, status=status)


def _preview(request: AuthedRequest, template: LetterTemplate, household_id, language, data):
    """The text rendered for one household the manager may see (404 for any other)."""
    household = (
        preview_households_for_user(request.user, template)
        .select_related("flat__stairwell__estate__organisation")
        .prefetch_related("residents")
        .filter(pk=household_id)
        .first()
    )
    if household is None:
        raise Http404
    case = (
        Case.objects.filter(household=household)
        .select_related("project")
        .order_by("-opened_at")
        .first()
    )
    offer = None
    if case is not None:
        offer = case.offers.select_related("pool_flat__flat__stairwell").first()
    values = context_for(
        household, case, offer, request.user, kind=template.kind, language=language
    )
    log_access(request, what=gettext_noop("letter template preview"), households=[household.pk])
    return {
        "household": household,
        "subject": render_text(data["subject"], values),
        "body": render_html(data["body"], values),
        "with_offer": offer is not None,
    }


@require_http_methods(["GET", "POST"])
def template_edit(request: AuthedRequest, pk: int, language: str) -> HttpResponse:
    """Edit one language's text: validate, preview for a household, save as a new version."""
    template = get_template_for_user(request.user, pk, for_change=True)
    if language not in LetterLanguage.values:
        raise Http404
    current = current_version(template, language)
    danish = current_version(template, LetterLanguage.DANISH)
    if language != LetterLanguage.DANISH and danish is None:
        messages.error(request, _("Write the Danish text first: it is the one that counts."))
        return redirect("outreach:template_edit", pk=template.pk, language="da")
    initial: dict = {"based_on": current.number if current else None}
    standard = standard_text(template.kind, language)
    use_standard = request.GET.get("standard") == "1" and standard is not None
    if current is not None and not use_standard:
        initial.update(subject=current.subject, body=current.body)
    elif standard is not None:
        initial.update(subject=standard.subject, body=standard.body)
    form = VersionForm(request.POST or None, initial=initial)
    preview = None
    stale = None
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        errors = text_errors(subject=data["subject"], body=data["body"])
        for field, messages_of_field in errors.items():
            for message in messages_of_field:
                form.add_error(field, message)
        if not errors and request.POST.get("action") == "preview":
            if data["household"]:
                preview = _preview(request, template, data["household"], language, data)
            else:
                form.add_error(None, _("Choose a household to see the letter for."))
        elif not errors:
            try:
                version = version_save(
                    template=template,
                    language=language,
                    subject=data["subject"],
                    body=data["body"],
                    based_on=data["based_on"],
                    by=request.user,
                )
            except StaleVersionError as error:
                stale = error.current
                rebound = request.POST.copy()
                rebound["based_on"] = str(error.current.number)
                form = VersionForm(rebound)
                form.is_valid()
                status = 409
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if version is None:
                    messages.info(request, _("The text is unchanged; no new version was saved."))
                else:
                    messages.success(
                        request,
                        _("Version %(number)s is saved (%(language)s).")
                        % {
                            "number": version.number,
                            "language": language_name(LetterLanguage(language).label),
                        },
                    )
                return redirect("outreach:template", pk=template.pk)
    for name in ("subject", "body"):  # the text is written in its own direction, the labels not
        form.fields[name].widget.attrs.update(
            lang=language, dir="rtl" if language in RTL_LANGUAGES else "ltr"
        )
    if form.is_bound and form.errors:
        status = 400
    context = {
        "template": template,
        "language": language,
        "language_label": LetterLanguage(language).label,
        "rtl": language == LetterLanguage.ARABIC,
        "form": form,
        "current": current,
        "danish": danish if language != LetterLanguage.DANISH else None,
        "standard": standard,
        "placeholders": PLACEHOLDERS,
        "preview": preview,
        "stale": stale,
        "picked": _picked(request, template, form),
    }
    return render(request, "outreach/letters/template_edit.html", context, status=status)


def _household_label(household) -> str:
    return f"{household.display_name()}, {household.flat.address}"


def _picked(request: AuthedRequest, template: LetterTemplate, form) -> tuple[str, str]:
    value = str(form.data.get("household", "")) if form.is_bound else ""
    if not value.isdigit():
        return ("", "")
    household = (
        preview_households_for_user(request.user, template)
        .select_related("flat__stairwell")
        .prefetch_related("residents")
        .filter(pk=int(value))
        .first()
    )
    return (str(household.pk), _household_label(household)) if household else ("", "")


@require_GET
def template_households(request: AuthedRequest, pk: int) -> HttpResponse:
    """The preview's type-ahead: households of the template's organisation the manager sees."""
    template = get_template_for_user(request.user, pk, for_change=True)
    q = request.GET.get("q", "").strip()[:100]
    households = preview_households_for_user(request.user, template)
    found = (
        list(
            household_search(households, q)
            .select_related("flat__stairwell")
            .prefetch_related("residents")
            .order_by("flat__stairwell__street", "flat__stairwell__number", "pk")[
                :HOUSEHOLD_SEARCH_LIMIT
            ]
        )
        if q
        else []
    )
    context = {
        "name": "household",
        "picked": ("", ""),
        "results": [(str(household.pk), _household_label(household)) for household in found],
        "q": q,
        "limit": HOUSEHOLD_SEARCH_LIMIT,
        "no_match": _("No household matches."),
    }
    return render(request, "includes/typeahead_choices.html", context)


@require_http_methods(["GET", "POST"])
def staff_contact(request: AuthedRequest) -> HttpResponse:
    """Her own phone number as her letters print it (staff who write letters)."""
    require_perm(request.user, "outreach.add_awaitedreply")
    contact = StaffContact.objects.filter(user=request.user).first()
    form = StaffContactForm(
        request.POST or None, initial={"phone": contact.phone if contact else ""}
    )
    if request.method == "POST" and form.is_valid():
        staff_contact_save(user=request.user, phone=form.cleaned_data["phone"])
        messages.success(request, _("Your phone number in letters is saved."))
        return redirect("outreach:letter_contact")
    status = 400 if form.is_bound and form.errors else 200
    context = {"form": form, "email": request.user.email}
    return render(request, "outreach/letters/staff_contact.html", context, status=status)
