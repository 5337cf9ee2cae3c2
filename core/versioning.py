"""Optimistic locking: a save succeeds only if nobody else saved the row since it was read."""

from typing import Any

from django.db import models
from django.db.models import F
from django.utils import timezone


class ConflictError(Exception):
    """Someone else saved the object after this user read it; `current` is what is saved now."""

    def __init__(self, current: Any) -> None:
        super().__init__(f"{type(current).__name__} {current.pk} was changed by someone else")
        self.current = current


def update_versioned(
    instance: models.Model, *, expected_version: int, values: dict, by=None
) -> None:
    """Write `values` to `instance` if its row still has `expected_version`; else ConflictError."""
    model = type(instance)
    field_names = {field.name for field in model._meta.concrete_fields}
    stamped = dict(values)
    if "updated_at" in field_names:
        stamped["updated_at"] = timezone.now()
    if "updated_by" in field_names:
        stamped["updated_by"] = by
    updated = model._default_manager.filter(pk=instance.pk, version=expected_version).update(
        version=F("version") + 1, **stamped
    )
    if not updated:
        raise ConflictError(model._default_manager.get(pk=instance.pk))
    for name, value in stamped.items():
        setattr(instance, name, value)
    instance.version = expected_version + 1  # type: ignore[attr-defined]


def differences(form, current: models.Model, fields: tuple[str, ...]) -> list[dict]:
    """Fields where the user's input differs from what is saved now (for the conflict notice)."""
    rows = []
    for name in fields:
        if name not in form.fields or name not in form.cleaned_data:
            continue
        yours, saved = form.cleaned_data[name], getattr(current, name)
        if (yours or None) != (saved or None):
            rows.append({"label": form.fields[name].label, "yours": yours, "saved": saved})
    return rows


def conflict_notice(form, error: ConflictError, fields: tuple[str, ...] = ()) -> tuple[dict, Any]:
    """What a form shows when its save lost to someone else's (409): the object as saved now, the
    fields where the user's input differs from it, and her input again with the saved version,
    for a new form to be bound to (nothing she typed is lost)."""
    conflict = {"current": error.current, "rows": differences(form, error.current, fields)}
    rebound = form.data.copy()
    rebound["version"] = str(error.current.version)
    return conflict, rebound
