"""Reads for GDPR: which models hold a household's data (by introspection), and everything the
system holds about one resident (the right of access, art. 15)."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import models
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet, TextChoices
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from households.models import (
    AccessLog,
    EstateGroupObjectPermission,
    EstateUserObjectPermission,
    Flat,
    Household,
    OrganisationGroupObjectPermission,
    OrganisationUserObjectPermission,
    Resident,
)
from households.permissions import user_grants
from households.selectors import household_search, residents_prefetch
from outreach.models import IDENTIFIES_OTHERS
from privacy.classification import classified_models, model_fields
from referrals.models import PartnerGroupObjectPermission, PartnerUserObjectPermission

# Guardian's permission rows say who may work with an object: staff data, not the resident's.
PERMISSION_MODEL_SUFFIXES = ("UserObjectPermission", "GroupObjectPermission")

# Third parties whose identity the resident does not get (art. 15(4)): who passed on a tip or was
# met at the door (the rule of every copy for the household, outreach.models.IDENTIFIES_OTHERS),
# and which member of staff opened which page when, from which address.
WITHHELD = {
    **{label: set(names) for label, names in IDENTIFIES_OTHERS.items()},
    "households.AccessLog": {"user", "username", "path", "ip"},
    # What was paid for her rehousing, without the staff's internal note on the invoice.
    "cases.Expense": {"note"},
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


# Text stored in English as a message id (gettext_noop) and worded when shown.
WORDED_WHEN_SHOWN = {("households.AccessLog", "what")}


def _shown(model: type[models.Model], model_field: models.Field, obj, value: object) -> str:
    text = _text(model_field, obj, value)
    if (model._meta.label, model_field.name) in WORDED_WHEN_SHOWN:
        return _(text)
    return text


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
    flats: list[Flat] = []
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
                [(str(f.verbose_name), _shown(model, f, obj, row[f.name])) for f in labelled]
            )
            if model is Household:
                flats.append(obj.flat)  # type: ignore[attr-defined]
        sections.append(section)
    sections.append(_flat_section(flats))
    return sections


def _flat_section(flats: list[Flat]) -> Section:
    """Her household's flat as recorded, its rent too: the flat points to no household, so the
    relations do not find it (loaded with the household's row, no query of its own)."""
    fields = [f for f in model_fields(Flat) if not f.primary_key and f.name not in SKIPPED]
    section = Section(
        label=str(Flat._meta.verbose_name_plural),
        model=Flat._meta.label,
        columns=[str(f.verbose_name) for f in fields],
    )
    for flat in flats:
        row = {f.name: _json_value(flat, f) for f in fields}
        section.rows.append(row)
        section.shown.append([(str(f.verbose_name), _flat_text(f, flat, row)) for f in fields])
    return section


def _flat_text(model_field: models.Field, flat: Flat, row: dict[str, object]) -> str:
    value = getattr(flat, model_field.attname)
    if isinstance(value, Decimal):  # kroner as Danes write them: 5.123,50
        return number_format(value, decimal_pos=2, force_grouping=True)
    return _shown(Flat, model_field, flat, row[model_field.name])


def _order(model: type[models.Model]) -> tuple[int, str]:
    first = (Resident, Household)
    return (first.index(model) if model in first else len(first), model._meta.label)


# --- the access log, for managers ---


class AccessLogGrouping(TextChoices):
    ENTRIES = "", gettext_lazy("Every entry")
    HOUSEHOLDS = "husstande", gettext_lazy("One line per household")
    USERS = "medarbejdere", gettext_lazy("One line per user")


@dataclass(frozen=True)
class AccessLogFilters:
    user: int | None = None
    household: int | None = None
    q: str = ""
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None
    group: str = AccessLogGrouping.ENTRIES


def _start_of(day: date) -> datetime:
    # A range on the column itself, so the (user, at) and (household, at) indexes serve it;
    # `at__date` would compute a date for every row.
    return timezone.make_aware(datetime.combine(day, time.min))


def organisation_staff_ids(*, organisation_ids) -> set[int]:
    """Everyone who works for the organisations: in their estates, as staff, as managers, or
    acting for a partner in their register (the visitator). One query."""
    parts = [
        EstateUserObjectPermission.objects.filter(
            content_object__organisation_id__in=organisation_ids
        ).values_list("user_id", flat=True),
        EstateGroupObjectPermission.objects.filter(
            content_object__organisation_id__in=organisation_ids
        ).values_list("group__user", flat=True),
        OrganisationUserObjectPermission.objects.filter(
            content_object_id__in=organisation_ids
        ).values_list("user_id", flat=True),
        OrganisationGroupObjectPermission.objects.filter(
            content_object_id__in=organisation_ids
        ).values_list("group__user", flat=True),
        PartnerUserObjectPermission.objects.filter(
            content_object__organisation_id__in=organisation_ids
        ).values_list("user_id", flat=True),
        PartnerGroupObjectPermission.objects.filter(
            content_object__organisation_id__in=organisation_ids
        ).values_list("group__user", flat=True),
    ]
    rows = parts[0].union(*parts[1:])
    return {user_id for user_id in rows if user_id is not None}


@dataclass(frozen=True)
class AccessLogScope:
    """What a manager may read of the log; `everything` for a superuser."""

    organisation_ids: frozenset[int] = frozenset()
    staff_ids: frozenset[int] = frozenset()
    everything: bool = False


def access_log_scope(*, user: User) -> AccessLogScope:
    if user.is_superuser:
        return AccessLogScope(everything=True)
    organisation_ids = user_grants(user).managed_organisations
    if not organisation_ids:
        return AccessLogScope()
    staff_ids = organisation_staff_ids(organisation_ids=organisation_ids)
    return AccessLogScope(frozenset(organisation_ids), frozenset(staff_ids))


def access_log_staff(*, scope: AccessLogScope) -> QuerySet[User]:
    """The people whose entries she may filter by."""
    if scope.everything:
        staff = User.objects.filter(pk__in=AccessLog.objects.values("user_id"))
    else:
        staff = User.objects.filter(pk__in=scope.staff_ids)
    return staff.order_by("first_name", "last_name", "username")


# As many households as a search hands PostgreSQL as a list of keys (see below).
SEARCH_KEYS_MAX = 10000


def _searched_households(scope: AccessLogScope, q: str) -> list[int] | QuerySet[Household, int]:
    """The households a search of the log matches, among hers.

    The keys themselves when they are few (one query of its own): PostgreSQL then counts them
    and reads their rows through the (household, at) index. As a subquery it cannot estimate an
    OR of names and streets, and it walked the log newest first testing each row: "Pilevej 3"
    (one stairwell) took 108 ms at 50,000 households, against 2 ms. Where more match, the
    subquery: her newest rows then match soon enough.
    """
    households = Household.objects.all()
    if not scope.everything:
        households = households.filter(
            flat__stairwell__estate__organisation_id__in=scope.organisation_ids
        )
    found = household_search(households, q, by_keys=True).order_by().values_list("pk", flat=True)
    keys = list(found[: SEARCH_KEYS_MAX + 1])
    return keys if len(keys) <= SEARCH_KEYS_MAX else found


def _access_log_rows(*, scope: AccessLogScope, filters: AccessLogFilters) -> QuerySet[AccessLog]:
    """Rows about a household: her organisations' households only; rows about no household (a
    flat list export, a login, a refused page): those of her organisations' staff."""
    entries = AccessLog.objects.all()
    if filters.q:
        # Her organisations' households that match: the search keeps to her scope itself.
        entries = entries.filter(household_id__in=_searched_households(scope, filters.q))
    elif not scope.everything:
        # Row by row through the indexes (household, flat, stairwell, estate: four lookups), not
        # the set of all her organisations' households first: the newest page reads a few
        # hundred rows down the `at` index and stops.
        of_her_organisations = Household.objects.filter(
            pk=OuterRef("household_id"),
            flat__stairwell__estate__organisation_id__in=scope.organisation_ids,
        )
        entries = entries.filter(
            Q(Exists(of_her_organisations)) | Q(household__isnull=True, user_id__in=scope.staff_ids)
        )
    if filters.user:
        entries = entries.filter(user_id=filters.user)
    if filters.household:
        entries = entries.filter(household_id=filters.household)
    if filters.action:
        entries = entries.filter(action=filters.action)
    if filters.date_from:
        entries = entries.filter(at__gte=_start_of(filters.date_from))
    if filters.date_to:
        entries = entries.filter(at__lt=_start_of(filters.date_to + timedelta(days=1)))
    return entries


def access_log_entries(
    *, scope: AccessLogScope, filters: AccessLogFilters = AccessLogFilters()
) -> QuerySet[AccessLog]:
    """Newest first."""
    return (
        _access_log_rows(scope=scope, filters=filters)
        .select_related("user", "household__flat__stairwell", "resident")
        .order_by("-at", "-pk")
    )


@dataclass
class AccessLogLine:
    """One household (or one user) of the log, with how often and when first and last."""

    entries: int
    first: datetime
    last: datetime
    household_id: int | None = None
    household: Household | None = None
    user_id: int | None = None
    username: str = ""
    user: User | None = None


def access_log_summary(
    *, scope: AccessLogScope, filters: AccessLogFilters, by: str
) -> QuerySet[AccessLog]:
    """ "Which households did she see" (by households) or "who saw it" (by users), latest
    first: dicts with household_id or user_id and username, entries, first and last."""
    rows = _access_log_rows(scope=scope, filters=filters)
    if by == AccessLogGrouping.HOUSEHOLDS:
        keys: tuple[str, ...] = ("household_id",)
        rows = rows.filter(household__isnull=False)
    else:
        keys = ("user_id", "username")
    return (
        rows.values(*keys)
        .annotate(entries=Count("pk"), first=Min("at"), last=Max("at"))
        .order_by("-last", *keys)
    )


def access_log_lines(rows) -> list[AccessLogLine]:
    """The summary rows of one page, with their households or users: two queries at most."""
    lines = [AccessLogLine(**row) for row in rows]
    household_ids = {line.household_id for line in lines if line.household_id}
    households = (
        Household.objects.filter(pk__in=household_ids)
        .select_related("flat__stairwell")
        .prefetch_related(residents_prefetch())
    )
    by_household = {household.pk: household for household in households} if household_ids else {}
    user_ids = {line.user_id for line in lines if line.user_id}
    users = {user.pk: user for user in User.objects.filter(pk__in=user_ids)} if user_ids else {}
    for line in lines:
        line.household = by_household.get(line.household_id or 0)
        line.user = users.get(line.user_id or 0)
    return lines
