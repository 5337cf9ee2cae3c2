"""Letters from the organisation's own templates (issue 15): the templates a manager edits, their
versions per language, each letter that went out, and the batches that made many at once.

How versions and languages relate: a *version* is one edit of one language's text. Its number
counts the edits of that language within the template (Danish 1, 2, 3 …; English 1, 2 …), and
the current text of a language is its newest version. Danish comes first: a template gets other
languages only once it has a Danish text, and a translation records which Danish version it was
written from (`translates`), so the page can say when the Danish text has changed since. A new
Danish version is the template's new version.

A saved version is never changed (a database trigger refuses it): editing makes a new version,
and a letter keeps the version it was made from (PROTECT) along with the exact text it went out
with, so what a household was sent can always be shown as it was.
"""

import uuid

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.deadlines import LetterKind
from core.jobs import JobFields


class LetterLanguage(models.TextChoices):
    DANISH = "da", _("Danish")
    ENGLISH = "en", _("English")
    ARABIC = "ar", _("Arabic")


# Languages written right to left (the editor, the preview and the PDF set dir="rtl").
RTL_LANGUAGES = frozenset({LetterLanguage.ARABIC})


class SentVia(models.TextChoices):
    POSTED = "posted", _("Printed and posted")
    HANDED_OVER = "handed_over", _("Handed over")
    DIGITAL_POST = "digital_post", _("Digital Post")


class LetterBatchStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Being made")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


def letter_storage():
    return storages["letters"]


def letter_path(instance: models.Model, filename: str) -> str:
    """A random name: nothing about the household becomes part of a path on disk."""
    return f"letters/{uuid.uuid4().hex}.pdf"


def batch_path(instance: models.Model, filename: str) -> str:
    return f"batches/{uuid.uuid4().hex}.pdf"


class LetterTemplate(models.Model):
    """One of the organisation's letters (the offer, the notice …); its text is in its versions.

    An organisation may have several templates of one kind (a notice for a renovation while
    living at home, one for a rehousing)."""

    organisation = models.ForeignKey(
        "households.Organisation",
        on_delete=models.CASCADE,
        related_name="letter_templates",
        verbose_name=_("organisation"),
    )
    kind = models.CharField(_("kind of letter"), max_length=20, choices=LetterKind.choices)
    name = models.CharField(_("name"), max_length=200)
    active = models.BooleanField(
        _("in use"), default=True, help_text=_("Only templates in use can be chosen for letters.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    # Optimistic versioning of the template's own fields (name, active), core/versioning.py.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["organisation", "kind", "name", "pk"]
        verbose_name = _("letter template")
        verbose_name_plural = _("letter templates")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=LetterKind.values), name="letter_template_kind_valid"
            ),
            models.UniqueConstraint(
                fields=["organisation", "kind", "name"], name="letter_template_name_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class LetterTemplateVersion(models.Model):
    """One edit of one language's text of a template; never changed once saved."""

    template = models.ForeignKey(
        LetterTemplate,
        on_delete=models.CASCADE,
        related_name="versions",
        verbose_name=_("template"),
    )
    language = models.CharField(
        _("language"), max_length=5, choices=LetterLanguage.choices, default=LetterLanguage.DANISH
    )
    number = models.PositiveIntegerField(_("version"))
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"), max_length=20_000)
    # A translation: the Danish version it was written from (None for a Danish version).
    translates = models.ForeignKey(
        "self",
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="translations",
        verbose_name=_("translation of"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["template", "language", "-number"]
        verbose_name = _("letter template version")
        verbose_name_plural = _("letter template versions")
        constraints = [
            models.UniqueConstraint(
                fields=["template", "language", "number"], name="letter_version_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(language__in=LetterLanguage.values),
                name="letter_version_language_valid",
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="letter_version_number_positive"
            ),
            models.CheckConstraint(
                condition=Q(language=LetterLanguage.DANISH, translates__isnull=True)
                | ~Q(language=LetterLanguage.DANISH),
                name="letter_version_danish_translates_nothing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} ({self.language}) v{self.number}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValueError("A letter template version is never changed: save a new version.")
        super().save(*args, **kwargs)

    @property
    def is_rtl(self) -> bool:
        return self.language in RTL_LANGUAGES


class LetterBatch(JobFields):
    """Letters made in one go for a stairwell or a whole project: one merged PDF, each
    household on a new sheet. Made by a worker (the job's columns, core/jobs.py)."""

    project = models.ForeignKey(
        "cases.Project",
        on_delete=models.CASCADE,
        related_name="letter_batches",
        verbose_name=_("project"),
    )
    stairwell = models.ForeignKey(
        "households.Stairwell",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="letter_batches",
        verbose_name=_("stairwell"),
    )
    template = models.ForeignKey(
        LetterTemplate, on_delete=models.PROTECT, related_name="batches", verbose_name=_("template")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=LetterBatchStatus.choices,
        default=LetterBatchStatus.QUEUED,
    )
    progress = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    letter_count = models.PositiveIntegerField(default=0)
    pdf = models.FileField(storage=letter_storage, upload_to=batch_path, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("batch of letters")
        verbose_name_plural = _("batches of letters")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=LetterBatchStatus.values), name="letter_batch_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="letter_batch_progress_percent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} {self.created_at:%d.%m.%Y}"


class Letter(models.Model):
    """A letter to a household, as it went out: the version it was made from, the exact text,
    the PDF, and how and when it was sent and received."""

    household = models.ForeignKey(
        "households.Household",
        on_delete=models.CASCADE,
        related_name="letters",
        verbose_name=_("household"),
    )
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="letters",
        verbose_name=_("case"),
    )
    # The offer the letter makes (an offer letter), so its answer and the letter meet.
    offer = models.ForeignKey(
        "cases.Offer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="letters",
        verbose_name=_("offer"),
    )
    template_version = models.ForeignKey(
        LetterTemplateVersion,
        on_delete=models.PROTECT,
        related_name="letters",
        verbose_name=_("template version"),
    )
    language = models.CharField(
        _("language"), max_length=5, choices=LetterLanguage.choices, default=LetterLanguage.DANISH
    )
    subject = models.CharField(_("subject"), max_length=200)
    body_rendered = models.TextField(_("text"))
    # In another language than Danish: the Danish text beside it, the one that counts.
    danish_template_version = models.ForeignKey(
        LetterTemplateVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Danish template version"),
    )
    danish_subject = models.CharField(_("Danish subject"), max_length=200, blank=True)
    danish_body_rendered = models.TextField(_("Danish text"), blank=True)
    # The address as printed in the envelope's window.
    recipient_address = models.TextField(_("address"), max_length=500, blank=True)
    pdf = models.FileField(storage=letter_storage, upload_to=letter_path, blank=True)
    sent_via = models.CharField(_("sent via"), max_length=20, choices=SentVia.choices, blank=True)
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    received_on = models.DateField(_("received on"), null=True, blank=True)
    awaited_reply = models.OneToOneField(
        "outreach.AwaitedReply",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="letter",
        verbose_name=_("letter awaiting reply"),
    )
    batch = models.ForeignKey(
        LetterBatch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="letters",
        verbose_name=_("batch"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("letter")
        verbose_name_plural = _("letters")
        constraints = [
            models.CheckConstraint(
                condition=Q(language__in=LetterLanguage.values), name="letter_language_valid"
            ),
            models.CheckConstraint(
                condition=Q(sent_via="") | Q(sent_via__in=SentVia.values),
                name="letter_sent_via_valid",
            ),
            models.CheckConstraint(
                condition=Q(sent_via="", sent_on__isnull=True)
                | (~Q(sent_via="") & Q(sent_on__isnull=False)),
                name="letter_sent_via_and_on_together",
            ),
            models.CheckConstraint(
                condition=Q(received_on__isnull=True)
                | Q(sent_on__isnull=False, received_on__gte=models.F("sent_on")),
                name="letter_received_after_sent",
            ),
        ]
        indexes = [models.Index(fields=["household", "-created_at"], name="letter_household_idx")]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_rtl(self) -> bool:
        return self.language in RTL_LANGUAGES


class StaffContact(models.Model):
    """How a member of staff is reached, as her letters print it (the phone; the name and
    e-mail are the account's)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="letter_contact"
    )
    phone = models.CharField(_("phone in letters"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("staff contact in letters")
        verbose_name_plural = _("staff contacts in letters")

    def __str__(self) -> str:
        return self.phone
