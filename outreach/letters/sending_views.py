"""Pages of letters going out: a household's new letter, its files, sent and received; a
batch for a stairwell or a project, its progress and its files. Thin: gate, form, service."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.permissions import get_project_for_user
from core.http import AuthedRequest
from core.once import ALREADY_SAVED, AlreadySaved
from core.pdf import pdf_response
from core.permissions import require_perm
from households.audit import log_access
from households.models import AccessAction, Stairwell
from households.permissions import get_household_for_user
from outreach.letters import sending
from outreach.letters.forms import LetterBatchForm, LetterNewForm, ReceivedForm, SentForm
from outreach.letters.layout import letter_docx
from outreach.letters.models import LetterBatchStatus
from outreach.letters.permissions import (
    get_batch_for_user,
    get_letter_for_user,
    usable_templates,
)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _household_url(household_id: int) -> str:
    return reverse("households:detail", args=[household_id]) + "#sent-letters"


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


@require_http_methods(["GET", "POST"])
def letter_new(request: AuthedRequest, household_pk: int) -> HttpResponse:
    household = get_household_for_user(request.user, household_pk)
    require_perm(request.user, "outreach.add_letter")
    organisation_id = household.flat.stairwell.estate.organisation_id
    form = LetterNewForm(request.POST or None, templates=usable_templates(organisation_id))
    if request.method == "POST" and form.is_valid():
        try:
            sending.letter_generate(
                household=household,
                template=form.cleaned_data["template"],
                by=request.user,
                once_key=form.cleaned_data["once_key"],
            )
        except AlreadySaved:
            messages.info(request, ALREADY_SAVED)
            return redirect(_household_url(household.pk))
        except ValidationError as error:
            form.add_error("template", error)
        else:
            messages.success(
                request, _("The letter is made. Print it or send it, then register how.")
            )
            return redirect(_household_url(household.pk))
    status = 400 if form.is_bound and form.errors else 200
    context = {"household": household, "form": form}
    log_access(request, what=gettext_noop("new letter form"), households=[household.pk])
    return render(request, "outreach/letters/sent/letter_new.html", context, status=status)


@require_GET
def letter_file(request: AuthedRequest, pk: int, fmt: str) -> HttpResponse:
    letter = get_letter_for_user(request.user, pk)
    log_access(
        request,
        what=f"Brev {letter.pk} ({fmt})",
        action=AccessAction.DOWNLOAD,
        households=[letter.household_id],
    )
    if fmt == "docx":
        response = HttpResponse(letter_docx(sending.printed_letter(letter)), content_type=DOCX)
        response["Content-Disposition"] = f'attachment; filename="brev-{letter.pk}.docx"'
        return response
    if not letter.pdf:
        messages.error(request, _("The letter's PDF is not made yet."))
        return redirect(_household_url(letter.household_id))
    with letter.pdf.open("rb") as file:
        return pdf_response(file.read(), f"brev-{letter.pk}.pdf")


@require_POST
def letter_sent(request: AuthedRequest, pk: int) -> HttpResponse:
    letter = get_letter_for_user(request.user, pk, for_change=True)
    form = SentForm(request.POST)
    if form.is_valid():
        try:
            sending.letters_register_sent(
                letters=[letter],
                via=form.cleaned_data["sent_via"],
                sent_on=form.cleaned_data["sent_on"],
                by=request.user,
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("The letter is registered as sent."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(_household_url(letter.household_id))


@require_POST
def letter_received(request: AuthedRequest, pk: int) -> HttpResponse:
    letter = get_letter_for_user(request.user, pk, for_change=True)
    form = ReceivedForm(request.POST)
    if form.is_valid():
        try:
            sending.letter_register_received(
                letter=letter, received_on=form.cleaned_data["received_on"], by=request.user
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("The day the letter was received is registered."))
    else:
        messages.error(request, _("Enter the day the letter was received."))
    return redirect(_household_url(letter.household_id))


@require_http_methods(["GET", "POST"])
def batch_new(request: AuthedRequest, project_pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, project_pk)
    require_perm(request.user, "outreach.add_letterbatch")
    form = LetterBatchForm(
        request.POST or None,
        templates=usable_templates(project.estate.organisation_id),
        stairwells=Stairwell.objects.filter(estate=project.estate).order_by("street", "number"),
    )
    if request.method == "POST" and form.is_valid():
        try:
            batch = sending.batch_create(
                project=project,
                template=form.cleaned_data["template"],
                stairwell=form.cleaned_data["stairwell"],
                by=request.user,
                once_key=form.cleaned_data["once_key"],
            )
        except AlreadySaved as saved:
            messages.info(request, ALREADY_SAVED)
            if saved.saved is not None:
                return redirect("outreach:letter_batch", saved.saved.pk)
        except ValidationError as error:
            form.add_error("template", error)
        else:
            return redirect("outreach:letter_batch", batch.pk)
    status = 400 if form.is_bound and form.errors else 200
    context = {"project": project, "form": form}
    return render(request, "outreach/letters/sent/batch_new.html", context, status=status)


@require_GET
def batch_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = get_batch_for_user(request.user, pk)
    context = {
        "batch": batch,
        "done": batch.status == LetterBatchStatus.DONE,
        "busy": batch.status in (LetterBatchStatus.QUEUED, LetterBatchStatus.RUNNING),
        "unsent": batch.letters.filter(sent_on__isnull=True).count(),
        "sent_form": SentForm(),
    }
    template = "outreach/letters/sent/batch_detail.html"
    if request.htmx:
        template += "#progress"
    return render(request, template, context)


@require_GET
def batch_file(request: AuthedRequest, pk: int, fmt: str) -> HttpResponse:
    batch = get_batch_for_user(request.user, pk)
    if batch.status != LetterBatchStatus.DONE or not batch.pdf:
        return redirect("outreach:letter_batch", batch.pk)
    households = list(batch.letters.values_list("household_id", flat=True))
    log_access(
        request,
        what=f"Brevbunke {batch.pk} ({fmt})",
        action=AccessAction.DOWNLOAD,
        households=households,
    )
    if fmt == "zip":
        response = HttpResponse(sending.batch_zip(batch), content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="breve-{batch.pk}.zip"'
        return response
    with batch.pdf.open("rb") as file:
        return pdf_response(file.read(), f"breve-{batch.pk}.pdf")


@require_POST
def batch_sent(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = get_batch_for_user(request.user, pk, for_change=True)
    require_perm(request.user, "outreach.change_letter")
    form = SentForm(request.POST)
    if batch.status == LetterBatchStatus.DONE and form.is_valid():
        try:
            count = sending.batch_register_sent(
                batch=batch,
                via=form.cleaned_data["sent_via"],
                sent_on=form.cleaned_data["sent_on"],
                by=request.user,
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(
                request, _("%(count)s letters are registered as sent.") % {"count": count}
            )
    else:
        messages.error(request, _("The letters could not be registered as sent."))
    return redirect("outreach:letter_batch", batch.pk)
