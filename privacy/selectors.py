"""Reads for GDPR: which models hold a household's data (by introspection), and everything the
system holds about one resident (the right of access, art. 15)."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from households.models import Flat, Household, Resident
from privacy.classification import classified_models, model_fields

# Guardian's permission rows say who may work with an object: staff data, not the resident's.
PERMISSION_MODEL_SUFFIXES = ("UserObjectPermission", "GroupObjectPermission")

# Third parties whose identity the resident does not get (art. 15(4)): who passed on a tip, and
# which member of staff opened which page when, from which address.
WITHHELD = {
    "outreach.Tip": {"submitted_by"},
    "households.AccessLog": {"user", "username", "path", "ip"},
}
# Bookkeeping with no meaning to the resident.
SKIPPED = {"version"}


def is_permission_model(model: type[models.Model]) -> bool:
    return model.__name__.endswith(PERMISSION_MODEL_SUFFIXES)


def household_paths() -> dict[type[models.Model], str]:
    """Every model of ours that points (through foreign keys or many-to-many) to a household,
    with the shortest lookup from it to the household's id: {Contact: "household", ...}.

    Found by following the relations, so that a new model is never forgotten.
    """
    paths: dict[type[models.Model], str] = {Household: "pk"}
    candidates = [model for model in classified_models() if model is not Household]
    changed = True
    while changed:
        changed = False
        for model in candidates:
            if model in paths:
                continue
            for relation in model_fields(model):
                target = relation.related_model
                if not relation.is_relation or not isinstance(target, type) or target not in paths:
                    continue
                rest = paths[target]
                paths[model] = relation.name if rest == "pk" else f"{relation.name}__{rest}"
                changed = True
                break
    return paths


@dataclass
class Section:
    """The rows of one model about the resident."""

    label: str  # the model's verbose name (plural), in the reader's language
    model: str  # "outreach.Contact"
    columns: list[str] = field(default_factory=list)  # verbose names, for the PDF
    rows: list[dict[str, object]] = field(default_factory=list)  # field name -> JSON value
    shown: list[list[tuple[str, str]]] = field(default_factory=list)  # (label, text), for the PDF


def _user_name(user: User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _json_value(obj: models.Model, model_field: models.Field) -> object:
    if model_field.many_to_many:
        return [str(related) for related in getattr(obj, model_field.name).all()]
    if model_field.is_relation:
        related = getattr(obj, model_field.name)
        if related is None:
            return None
        return _user_name(related) if isinstance(related, User) else str(related)
    if model_field.choices:
        raw = getattr(obj, model_field.attname)
        return getattr(obj, f"get_{model_field.name}_display")() if raw else raw
    value = getattr(obj, model_field.attname)
    if hasattr(model_field, "base_field") and model_field.base_field.choices:
        labels = dict(model_field.base_field.choices)
        return [str(labels.get(item, item)) for item in value]
    if isinstance(model_field, models.FileField):
        return value.name or None
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _text(model_field: models.Field, obj: models.Model, value: object) -> str:
    raw = getattr(obj, model_field.attname, None)
    if isinstance(raw, datetime):
        return f"{timezone.localtime(raw):%d.%m.%Y %H:%M}"
    if isinstance(raw, date):
        return f"{raw:%d.%m.%Y}"
    if value is None or value == "" or value == []:
        return "—"
    if value is True:
        return str(_("Yes"))
    if value is False:
        return str(_("No"))
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _queryset(model: type[models.Model], path: str, resident: Resident) -> models.QuerySet:
    queryset = model._default_manager.filter(**{path: resident.household_id})
    if model is Resident:
        queryset = queryset.filter(pk=resident.pk)
    elif any(f.name == "resident" for f in model._meta.concrete_fields):
        # Rows about one other resident of the household are that person's, not hers.
        queryset = queryset.filter(models.Q(resident__isnull=True) | models.Q(resident=resident))
    related = [
        f.name for f in model._meta.concrete_fields if f.is_relation and f.name != "content_object"
    ]
    related += [
        f"{f.name}__stairwell"
        for f in model._meta.concrete_fields
        if f.is_relation and f.related_model is Flat
    ]
    m2m = [f.name for f in model._meta.many_to_many]
    return queryset.select_related(*related).prefetch_related(*m2m).distinct().order_by("pk")


def resident_data(*, resident: Resident) -> list[Section]:
    """Everything the system holds about `resident`: her own row, her household's rows, and the
    rows about her; not the rows about another resident of the household."""
    sections = []
    for model, path in sorted(household_paths().items(), key=lambda item: _order(item[0])):
        if is_permission_model(model):
            continue
        withheld = WITHHELD.get(model._meta.label, set()) | SKIPPED
        shown_fields = [f for f in model_fields(model) if f.name not in withheld]
        # The PDF leaves out bookkeeping columns without a label of their own (id, created_at);
        # the JSON file has every column.
        labelled = [
            f
            for f in shown_fields
            if not f.primary_key and f.verbose_name != f.name.replace("_", " ")
        ]
        section = Section(
            label=str(model._meta.verbose_name_plural),
            model=model._meta.label,
            columns=[str(f.verbose_name) for f in labelled],
        )
        for obj in _queryset(model, path, resident):
            row = {f.name: _json_value(obj, f) for f in shown_fields}
            section.rows.append(row)
            section.shown.append(
                [(str(f.verbose_name), _text(f, obj, row[f.name])) for f in labelled]
            )
        sections.append(section)
    return sections


def _order(model: type[models.Model]) -> tuple[int, str]:
    first = (Resident, Household)
    return (first.index(model) if model in first else len(first), model._meta.label)
