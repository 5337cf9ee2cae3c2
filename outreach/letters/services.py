"""Writes of letter templates: a new template, a new version of one language's text."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import translation
from django.utils.translation import gettext as _

from core.once import once_bind, once_claim
from core.versioning import update_versioned
from outreach.letters.models import LetterLanguage, LetterTemplate, LetterTemplateVersion
from outreach.letters.rendering import validate
from outreach.letters.standard_texts import STANDARD_TEXTS, standard_text


class StaleVersionError(Exception):
    """Someone saved a newer version of the language since the editor was opened."""

    def __init__(self, current: LetterTemplateVersion) -> None:
        super().__init__("a newer version was saved")
        self.current = current


def current_version(template: LetterTemplate, language: str) -> LetterTemplateVersion | None:
    """The newest version of the language's text (None: none yet)."""
    return (
        template.versions.filter(language=language)
        .select_related("created_by")
        .order_by("-number")
        .first()
    )


def current_versions(template: LetterTemplate) -> dict[str, LetterTemplateVersion]:
    """Language -> newest version (one query)."""
    newest: dict[str, LetterTemplateVersion] = {}
    for version in template.versions.select_related("created_by").order_by("language", "-number"):
        newest.setdefault(version.language, version)
    return newest


def text_errors(*, subject: str, body: str) -> dict[str, list[str]]:
    """The placeholder errors of a subject and a text, by field (empty: none)."""
    errors: dict[str, list[str]] = {}
    if subject_errors := validate(subject):
        errors["subject"] = [str(error) for error in subject_errors]
    if body_errors := validate(body):
        errors["body"] = [str(error) for error in body_errors]
    return errors


@transaction.atomic
def version_save(
    *,
    template: LetterTemplate,
    language: str,
    subject: str,
    body: str,
    based_on: int | None,
    by,
) -> LetterTemplateVersion | None:
    """Save a new version of the language's text; None when it is the same as the current one.

    `based_on` is the number of the version the editor was opened on (None for none):
    StaleVersionError when another version was saved since, so no one overwrites another's edit
    without seeing it. A translation needs a Danish text first and records the Danish version
    it was written from."""
    if language not in LetterLanguage.values:
        raise ValidationError(_("Unknown language."))
    if errors := text_errors(subject=subject, body=body):
        raise ValidationError(errors)
    LetterTemplate.objects.select_for_update().get(pk=template.pk)  # one edit at a time
    current = current_version(template, language)
    if (current.number if current else None) != based_on:
        if current is None:
            raise ValidationError(_("The text was not found. Open the template again."))
        raise StaleVersionError(current)
    if current is not None and current.subject == subject and current.body == body:
        return None
    translates = None
    if language != LetterLanguage.DANISH:
        translates = current_version(template, LetterLanguage.DANISH)
        if translates is None:
            raise ValidationError(_("Write the Danish text first: it is the one that counts."))
    version = LetterTemplateVersion.objects.create(
        template=template,
        language=language,
        number=(current.number + 1) if current else 1,
        subject=subject,
        body=body,
        translates=translates,
        created_by=by,
    )
    LetterTemplate.objects.filter(pk=template.pk).update(updated_at=version.created_at)
    return version


@transaction.atomic
def template_create(
    *,
    organisation,
    kind: str,
    name: str,
    from_standard: bool,
    by,
    once_key: uuid.UUID | None = None,
) -> LetterTemplate:
    """A new template; from the standard text, its Danish (and translated) versions 1."""
    once_claim(key=once_key, model=LetterTemplate)
    try:
        with transaction.atomic():
            template = LetterTemplate.objects.create(
                organisation=organisation, kind=kind, name=name, created_by=by
            )
    except IntegrityError:
        raise ValidationError(
            {"name": [_("The organisation already has a template of this kind with this name.")]}
        ) from None
    if from_standard:
        standard_versions_add(template=template, by=by)
    once_bind(key=once_key, saved=template)
    return template


def standard_versions_add(*, template: LetterTemplate, by) -> list[LetterTemplateVersion]:
    """Version 1 of every language the standard text has, Danish first."""
    made = []
    for language in LetterLanguage.values:  # Danish is the first choice
        text = standard_text(template.kind, language)
        if text is None or template.versions.filter(language=language).exists():
            continue
        made.append(
            version_save(
                template=template,
                language=language,
                subject=text.subject,
                body=text.body,
                based_on=None,
                by=by,
            )
        )
    return [version for version in made if version is not None]


def template_update(
    *, template: LetterTemplate, expected_version: int, name: str, active: bool
) -> None:
    """The template's name and whether it is in use (ConflictError if changed meanwhile)."""
    update_versioned(
        template, expected_version=expected_version, values={"name": name, "active": active}
    )


def standard_templates_add(*, organisation, by=None) -> list[LetterTemplate]:
    """One template of every kind from the standard texts (the demo's organisation)."""
    from cases.deadlines import LetterKind

    made = []
    for kind in STANDARD_TEXTS:
        with translation.override(settings.LANGUAGE_CODE):
            name = str(LetterKind(kind).label)
        template, created = LetterTemplate.objects.get_or_create(
            organisation=organisation, kind=kind, name=name, defaults={"created_by": by}
        )
        if created:
            standard_versions_add(template=template, by=by)
        made.append(template)
    return made


def versions_by_language(template: LetterTemplate) -> list[tuple[str, str, list]]:
    """The history: (language, its name, versions newest first) per language that has any."""
    rows: dict[str, list] = {}
    for version in template.versions.select_related("created_by").order_by("language", "-number"):
        rows.setdefault(version.language, []).append(version)
    return [
        (language, str(LetterLanguage(language).label), rows[language])
        for language in LetterLanguage.values
        if language in rows
    ]


def next_number(template: LetterTemplate, language: str) -> int:
    newest = template.versions.filter(language=language).aggregate(Max("number"))["number__max"]
    return (newest or 0) + 1
