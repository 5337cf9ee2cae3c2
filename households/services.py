"""Every write to households, residents, assessments and staff access."""

import hashlib
import json
from datetime import date, timedelta
from decimal import Decimal

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission, User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from core.db import analyze
from core.roles import ROLE_PERMISSIONS
from core.versioning import update_versioned
from households.imports import Plan, build_plan, normalise_name
from households.models import (
    DuplicateDismissal,
    Estate,
    Flat,
    Household,
    HouseholdMerge,
    Organisation,
    Resident,
    Stairwell,
    TenantImport,
    VulnerabilityAssessment,
    VulnerabilityFactor,
    VulnerabilityLevel,
)

HOUSEHOLD_EDITABLE_FIELDS = (
    "moved_in_on",
    "reach_channel",
    "reach_time",
    "go_between_kind",
    "go_between_name",
    "go_between_phone",
    "reach_language",
    "reach_interpreter",
    "social_note",
)
RESIDENT_EDITABLE_FIELDS = (
    "first_name",
    "last_name",
    "birth_year",
    "phone",
    "email",
    "language",
    "interpreter_needed",
    "digital",
    "is_contact_person",
)


@transaction.atomic
def household_update(
    *, household: Household, by: User | None, expected_version: int, data: dict
) -> None:
    if set(data) - set(HOUSEHOLD_EDITABLE_FIELDS):
        raise ValueError(f"Not editable: {sorted(set(data) - set(HOUSEHOLD_EDITABLE_FIELDS))}")
    update_versioned(household, expected_version=expected_version, values=data, by=by)


FLAT_RENT_FIELDS = ("net_rent", "aconto")


def flat_rent_update(*, flat: Flat, by: User | None, expected_version: int, data: dict) -> None:
    """Record a flat's rent by hand (the tenant import writes it too, see tenant_import_apply)."""
    if set(data) - set(FLAT_RENT_FIELDS):
        raise ValueError(f"Not editable: {sorted(set(data) - set(FLAT_RENT_FIELDS))}")
    update_versioned(flat, expected_version=expected_version, values=data, by=by)


def _one_contact_person(*, resident: Resident) -> None:
    if resident.is_contact_person:
        Resident.objects.filter(household=resident.household_id, is_contact_person=True).exclude(
            pk=resident.pk
        ).update(is_contact_person=False)


@transaction.atomic
def resident_add(*, household: Household, data: dict) -> Resident:
    if set(data) - set(RESIDENT_EDITABLE_FIELDS):
        raise ValueError("Not editable")
    if not household.residents.exists():
        data = {**data, "is_contact_person": True}
    resident = Resident.objects.create(household=household, **data)
    _one_contact_person(resident=resident)
    return resident


@transaction.atomic
def resident_update(*, resident: Resident, expected_version: int, data: dict) -> None:
    if set(data) - set(RESIDENT_EDITABLE_FIELDS):
        raise ValueError("Not editable")
    update_versioned(resident, expected_version=expected_version, values=data)
    _one_contact_person(resident=resident)


@transaction.atomic
def vulnerability_assess(
    *,
    household: Household,
    by: User | None,
    level: str,
    factors: list[str],
    note: str = "",
) -> VulnerabilityAssessment:
    """Record a new assessment; the old ones stay as history."""
    if level not in VulnerabilityLevel.values:
        raise ValidationError(_("Choose a level."))
    unknown = set(factors) - set(VulnerabilityFactor.values)
    if unknown:
        raise ValidationError(_("Unknown factor."))
    if level != VulnerabilityLevel.NONE and not factors:
        raise ValidationError(_("Choose at least one factor for a vulnerable household."))
    return VulnerabilityAssessment.objects.create(
        household=household,
        level=level,
        factors=sorted(set(factors)),
        note=note.strip(),
        assessed_by=by,
    )


@transaction.atomic
def estate_assign_staff(*, estate: Estate, user: User) -> None:
    """Let `user` work with the cases of `estate`; she becomes staff of its organisation."""
    assign_perm("households.work_in_estate", user, estate)
    assign_perm("households.staff_of_organisation", user, estate.organisation)


@transaction.atomic
def estate_unassign_staff(*, estate: Estate, user: User) -> None:
    remove_perm("households.work_in_estate", user, estate)


@transaction.atomic
def organisation_add_manager(*, organisation: Organisation, user: User) -> None:
    assign_perm("households.manage_organisation", user, organisation)
    assign_perm("households.staff_of_organisation", user, organisation)


@transaction.atomic
def roles_sync() -> list[Group]:
    """Create a group per role with exactly the permissions of core/roles.py.

    Runs after every migrate and, in the tests, after every flush of a transactional test: the
    permissions are read in one query (a query per permission took half a second). Those of the
    apps it names are created first: post_migrate reaches this app before the apps after it."""
    named = {dotted for codenames in ROLE_PERMISSIONS.values() for dotted in codenames}
    for app_label in sorted({dotted.split(".")[0] for dotted in named}):
        create_permissions(apps.get_app_config(app_label), verbosity=0)
    permissions = {
        f"{permission.content_type.app_label}.{permission.codename}": permission
        for permission in Permission.objects.filter(
            codename__in={dotted.split(".")[1] for dotted in named}
        ).select_related("content_type")
    }
    if missing := named - set(permissions):
        raise Permission.DoesNotExist(f"core/roles.py names unknown permissions: {missing}")
    groups = []
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.set([permissions[dotted] for dotted in codenames])
        groups.append(group)
    return groups


# --- the tenant list import ---------------------------------------------------------------------

IMPORT_PREVIEW_KEPT_FOR = timedelta(days=1)
# After an import that writes this many rows, the tables' statistics are refreshed at once: the
# planner otherwise plans the next import's queries for the tables as they were (empty, for a
# new estate), and a join over thousands of flats chosen for a handful can run for minutes.
IMPORT_ANALYZE_FROM_ROWS = 200


class ImportRefused(Exception):
    """The import cannot be applied (the message is shown to the user)."""


def tenant_import_upload(
    *, organisation: Organisation, by: User, content: bytes, file_kind: str
) -> TenantImport:
    """Keep the file on the server for the preview; raises FileError for an unreadable file.

    Previews nobody imported within a day are deleted with their file: the list holds
    personal data, and a stale preview is no use.
    """
    plan = build_plan(organisation=organisation, content=content, file_kind=file_kind)
    TenantImport.objects.filter(
        status=TenantImport.Status.PREVIEWED,
        uploaded_at__lt=timezone.now() - IMPORT_PREVIEW_KEPT_FOR,
    ).delete()
    return TenantImport.objects.create(
        organisation=organisation,
        uploaded_by=by,
        file_kind=file_kind,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        seen_versions=plan.versions(),
        counts=plan.counts,
    )


def tenant_import_plan(*, tenant_import: TenantImport) -> Plan:
    content = bytes(tenant_import.content)
    if hashlib.sha256(content).hexdigest() != tenant_import.sha256:
        raise ImportRefused(
            _("The stored file has changed since it was uploaded. Upload it again.")
        )
    return build_plan(
        organisation=tenant_import.organisation, content=content, file_kind=tenant_import.file_kind
    )


def _mark_conflicts(plan: Plan, seen: dict[str, int]) -> None:
    """A household or resident saved by someone since the preview is not overwritten."""
    rows = plan.of("update")
    household_ids = [row.household.pk for row in rows if row.household is not None]
    flat_ids = [row.flat.pk for row in rows if row.flat is not None and row.flat_values]
    resident_ids = [r.pk for row in rows for r, _values in row.resident_updates]
    current = {
        f"household:{pk}": version
        for pk, version in Household.objects.select_for_update()
        .filter(pk__in=household_ids)
        .order_by("pk")
        .values_list("pk", "version")
    }
    current |= {
        f"flat:{pk}": version
        for pk, version in Flat.objects.select_for_update()
        .filter(pk__in=flat_ids)
        .order_by("pk")
        .values_list("pk", "version")
    }
    current |= {
        f"resident:{pk}": version
        for pk, version in Resident.objects.select_for_update()
        .filter(pk__in=resident_ids)
        .order_by("pk")
        .values_list("pk", "version")
    }
    for row in rows:
        keys = [f"flat:{row.flat.pk}"] if row.flat is not None and row.flat_values else []
        if row.household is not None:
            keys.append(f"household:{row.household.pk}")
            keys += [f"resident:{r.pk}" for r, _values in row.resident_updates]
        if any(seen.get(key) != current.get(key) for key in keys):
            row.action = "conflict"
            row.conflict = _(
                "Changed in genhusning after the preview: not overwritten. Check the household "
                "and import again."
            )


def _bulk_set(model, objects: list, fields: list[str]) -> None:
    """UPDATE ... FROM unnest(arrays): one statement for any number of rows.

    bulk_update builds a CASE per field and row in Python; for 5,000 rows that took most of
    the import (bench/test_import_speed.py). The rows are locked by the caller.
    """
    if not objects:
        return
    meta = model._meta
    quote = connection.ops.quote_name
    columns = [meta.get_field(name) for name in fields]
    every = [meta.pk, *columns]
    sets = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in columns)
    arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in every)
    names = ", ".join(quote(f.column) for f in every)
    pk = quote(meta.pk.column)
    sql = (
        f"UPDATE {quote(meta.db_table)} AS t SET {sets} "  # noqa: S608 (names from the model)
        f"FROM unnest({arrays}) AS v({names}) WHERE t.{pk} = v.{pk}"
    )
    params = [
        [f.get_db_prep_value(getattr(o, f.attname), connection) for o in objects] for f in every
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


_PLAIN = (str, int, float, bool, type(None), dict, list)


def _json_value(field, obj):
    value = field.pre_save(obj, True)  # the defaults of auto_now(_add) fields too
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, date | Decimal):  # datetime is a date: isoformat keeps its zone
        return value.isoformat() if not isinstance(value, Decimal) else str(value)
    return field.get_db_prep_save(value, connection)


def _bulk_insert(model, objects: list) -> None:
    """INSERT the new instances as one JSON document and set their ids: bulk_create prepared
    every value through the field's methods (180,000 calls for a 5,000-row file) and sent
    them as arrays; plain values go as they are. Ids come back in the document's order."""
    if not objects:
        return
    meta = model._meta
    quote = connection.ops.quote_name
    fields = [
        f for f in meta.concrete_fields if f is not meta.pk and not getattr(f, "generated", False)
    ]
    columns = ", ".join(quote(f.column) for f in fields)
    for obj in objects:  # as bulk_create: a related object saved after it was assigned
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
    document = json.dumps([[_json_value(f, obj) for f in fields] for obj in objects])
    selected = ", ".join(f"(r.value->>{i})::{f.db_type(connection)}" for i, f in enumerate(fields))
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) "  # noqa: S608 (names from the model)
        f"SELECT {selected} FROM jsonb_array_elements(%s::jsonb) WITH ORDINALITY AS r(value, n) "
        f"ORDER BY r.n RETURNING {quote(meta.pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [document])
        ids = [pk for (pk,) in cursor.fetchall()]
    for obj, pk in zip(objects, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias


@transaction.atomic
def tenant_import_apply(*, tenant_import: TenantImport, by: User) -> Plan:
    """Create what is new, update what changed, all or nothing; never deletes a flat."""
    locked = TenantImport.objects.select_for_update().get(pk=tenant_import.pk)
    if locked.status == TenantImport.Status.APPLIED:
        raise ImportRefused(_("This file has already been imported."))
    plan = tenant_import_plan(tenant_import=locked)
    if plan.errors:
        raise ImportRefused(_("Correct the errors in the file and upload it again."))
    _mark_conflicts(plan, locked.seen_versions)
    now = timezone.now()

    creating = plan.of("create")
    new_stairwells: dict[tuple, Stairwell] = {}
    for row in creating:
        if row.stairwell is None and row.source.address_key not in new_stairwells:
            source = row.source
            new_stairwells[source.address_key] = Stairwell(
                estate=row.estate,
                street=source.street,
                number=source.number,
                letter=source.letter,
                postcode=source.postcode,
                city=source.city,
            )
    Stairwell.objects.bulk_create(new_stairwells.values())
    for row in creating:
        source = row.source
        row.flat = Flat(
            stairwell=row.stairwell or new_stairwells[source.address_key],
            floor=source.floor,
            door=source.door,
            rooms=source.rooms,
            area_m2=source.area_m2,
            tenancy_number=source.tenancy_number,
            net_rent=source.net_rent,
            aconto=source.aconto,
        )
    _bulk_insert(Flat, [row.flat for row in creating if row.flat is not None])

    updating = plan.of("update")
    changed_flats = []
    for row in updating:
        if row.flat_values and row.flat is not None:
            for name, value in row.flat_values.items():
                setattr(row.flat, name, value)
            row.flat.version += 1
            changed_flats.append(row.flat)
    _bulk_set(
        Flat, changed_flats, ["rooms", "area_m2", "tenancy_number", "net_rent", "aconto", "version"]
    )

    with_new_household = [row for row in creating + updating if row.new_household]
    for row in with_new_household:
        row.household = Household(flat=row.flat, moved_in_on=row.source.moved_in_on, updated_by=by)
    _bulk_insert(Household, [row.household for row in with_new_household if row.household])

    changed_households = []
    new_residents = []
    changed_residents = []
    for row in creating + updating:
        household = row.household
        if household is None:
            continue
        if not row.new_household and (
            row.household_values or row.resident_updates or row.new_tenants
        ):
            for name, value in row.household_values.items():
                setattr(household, name, value)
            household.version += 1
            household.updated_at, household.updated_by = now, by
            changed_households.append(household)
        has_contact = not row.new_household and any(
            r.is_contact_person for r in household.residents.all()
        )
        for tenant in row.new_tenants:
            new_residents.append(
                Resident(
                    household=household,
                    first_name=tenant.first_name,
                    last_name=tenant.last_name,
                    birth_year=tenant.birth_year,
                    phone=tenant.phone,
                    email=tenant.email,
                    is_contact_person=not has_contact,
                )
            )
            has_contact = True
        for resident, values in row.resident_updates:
            for name, value in values.items():
                setattr(resident, name, value)
            resident.version += 1
            changed_residents.append(resident)
    _bulk_set(Household, changed_households, ["moved_in_on", "version", "updated_at", "updated_by"])
    _bulk_insert(Resident, new_residents)
    _bulk_set(Resident, changed_residents, ["birth_year", "phone", "email", "version"])
    if len(creating) + len(updating) >= IMPORT_ANALYZE_FROM_ROWS:
        analyze(Stairwell, Flat, Household, Resident)

    locked.status = TenantImport.Status.APPLIED
    locked.applied_by, locked.applied_at = by, now
    locked.counts = {**plan.counts, "residents_created": len(new_residents)}
    locked.content = b""  # the record stays, the personal data in the file goes
    locked.seen_versions = {}
    locked.save()
    for name in ("status", "counts", "applied_by", "applied_at", "content", "seen_versions"):
        setattr(tenant_import, name, getattr(locked, name))
    # The ANALYZE above (from IMPORT_ANALYZE_FROM_ROWS rows) commits with the rows: no second
    # one on commit (every import that wrote BULK_WRITE_ROWS rows had at least 250 rows).
    return plan


# --- likely duplicates: merge or keep apart -----------------------------------------------------


class MergeRefused(Exception):
    """The two households cannot be merged as they are (the message is shown to the user)."""


def _references(model) -> list:
    """The foreign keys of other models (and many-to-many tables) that point at `model`.

    Found by introspection, so a model added later is merged too. References without a
    database constraint are history (the access log): they keep naming the old row.
    """
    return [
        relation.field
        for relation in model._meta.get_fields(include_hidden=True)
        if relation.auto_created
        and not relation.concrete
        and (relation.many_to_one or relation.one_to_many or relation.one_to_one)
        and relation.field.db_constraint
        and relation.related_model not in (DuplicateDismissal,)
    ]


def _repoint(model, old_pk: int, new_pk: int) -> dict[str, int]:
    moved: dict[str, int] = {}
    for fk in _references(model):
        related = fk.model
        try:
            with transaction.atomic():
                count = related._base_manager.filter(**{fk.attname: old_pk}).update(
                    **{fk.attname: new_pk}
                )
        except IntegrityError:
            raise MergeRefused(
                _(
                    "Both have a %(what)s that cannot be two for one household (for example a "
                    "case in the same project, or the same open flag). Resolve one first."
                )
                % {"what": related._meta.verbose_name}
            ) from None
        if count:
            moved[related._meta.label] = moved.get(related._meta.label, 0) + count
    return moved


@transaction.atomic
def households_merge(*, keep: Household, remove: Household, by: User) -> HouseholdMerge:
    """Fold `remove` into `keep`: every row pointing at it moves over, then it is deleted.

    Residents with the same normalised name become one (the kept household's, gaps filled).
    """
    if keep.pk == remove.pk:
        raise MergeRefused(_("A household cannot be merged with itself."))
    locked = {
        h.pk: h
        for h in Household.objects.select_for_update()
        .filter(pk__in=[keep.pk, remove.pk])
        .select_related("flat__stairwell__estate")
        .order_by("pk")
    }
    if len(locked) != 2:
        raise MergeRefused(_("One of the households no longer exists."))
    keep, remove = locked[keep.pk], locked[remove.pk]
    if keep.flat.stairwell.estate.organisation_id != remove.flat.stairwell.estate.organisation_id:
        raise MergeRefused(_("The households belong to different housing organisations."))

    list(Resident.objects.select_for_update().filter(household__in=[keep, remove]).order_by("pk"))
    moved = _repoint(Household, remove.pk, keep.pk)
    residents = list(Resident.objects.filter(household=keep).order_by("-is_contact_person", "pk"))
    first_by_name: dict[str, Resident] = {}
    for resident in residents:
        key = normalise_name(resident.full_name)
        kept = first_by_name.setdefault(key, resident)
        if kept is resident:
            continue
        for name in ("birth_year", "phone", "email", "language"):
            if not getattr(kept, name) and getattr(resident, name):
                setattr(kept, name, getattr(resident, name))
        kept.interpreter_needed |= resident.interpreter_needed
        kept.version += 1
        kept.save()
        for label, count in _repoint(Resident, resident.pk, kept.pk).items():
            moved[label] = moved.get(label, 0) + count
        resident.delete()
        moved["households.Resident (merged)"] = moved.get("households.Resident (merged)", 0) + 1
    contacts = Resident.objects.filter(household=keep, is_contact_person=True).order_by("pk")
    Resident.objects.filter(pk__in=[r.pk for r in contacts[1:]]).update(is_contact_person=False)

    if not keep.moved_in_on and remove.moved_in_on:
        keep.moved_in_on = remove.moved_in_on
    if remove.social_note.strip() and remove.social_note.strip() not in keep.social_note:
        keep.social_note = "\n\n".join(
            n for n in (keep.social_note.strip(), remove.social_note.strip()) if n
        )
    keep.version += 1
    keep.updated_by = by
    keep.save()

    for dismissal in DuplicateDismissal.objects.filter(
        Q(household_low=remove) | Q(household_high=remove)
    ):
        other = (
            dismissal.household_high_id
            if dismissal.household_low_id == remove.pk
            else dismissal.household_low_id
        )
        dismissal.delete()
        if other != keep.pk:
            duplicate_keep_apart(first=keep, second=Household(pk=other), by=dismissal.by)
    removed_id = remove.pk
    remove.delete()
    return HouseholdMerge.objects.create(kept=keep, removed_id=removed_id, by=by, moved=moved)


@transaction.atomic
def duplicate_keep_apart(*, first: Household, second: Household, by: User | None) -> None:
    low, high = sorted((first.pk, second.pk))
    DuplicateDismissal.objects.get_or_create(
        household_low_id=low, household_high_id=high, defaults={"by": by}
    )
