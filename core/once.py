"""Saves that happen once: every form that creates something carries a one-time key.

The key is a UUID made when the form is rendered (`OnceKeyField`, or `{% once_key %}` in a
form written by hand). The service that creates the row claims the key first, in its own
transaction (`once_claim`), and ties it to the row it made (`once_bind`). A double click, or
the browser's retry after an error page, posts the same key again: the second claim waits for
the first transaction on the key's primary key, then finds the key used and raises
`AlreadySaved` with the row the first post made, so nothing is saved twice and the view tells
the user so. If the first transaction rolled back, its claim went with it and the retry saves.

A post without a key (an old page, a script) is saved as before, unguarded.
"""

import uuid
from datetime import timedelta
from typing import Any

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import OnceKey

FIELD_NAME = "once_key"

ALREADY_SAVED = _("This was already saved, so it was not saved twice. Here is what was saved.")


class AlreadySaved(Exception):
    """The key was used before. `saved` is the row its save made (None if deleted since)."""

    def __init__(self, saved: Any) -> None:
        super().__init__("This form was saved already")
        self.saved = saved


class OnceKeyField(forms.UUIDField):
    """The hidden one-time key; a fresh UUID each time an unbound form is rendered."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("initial", uuid.uuid4)
        super().__init__(**kwargs)


def once_key_from(data) -> uuid.UUID | None:
    """The key of a post whose form has no form class (a row of buttons), or None."""
    try:
        return uuid.UUID(str(data.get(FIELD_NAME, "")))
    except ValueError:
        return None


def once_claim(*, key: uuid.UUID | None, model: type[models.Model]) -> None:
    """Claim `key` for a row of `model` about to be made; AlreadySaved if it was used.

    Call it first in the service's transaction, before anything is written.
    """
    if key is None:
        return
    if not connection.in_atomic_block:
        raise RuntimeError("once_claim belongs inside the service's transaction")
    content_type = ContentType.objects.get_for_model(model)
    try:
        with transaction.atomic():
            OnceKey.objects.create(key=key, content_type=content_type)
    except IntegrityError:
        used = OnceKey.objects.filter(key=key, content_type=content_type).first()
        saved = None
        if used is not None and used.object_id is not None:
            saved = model._default_manager.filter(pk=used.object_id).first()
        raise AlreadySaved(saved) from None


def once_bind(*, key: uuid.UUID | None, saved: models.Model) -> None:
    """Tie the claimed key to the row its save made, so a second post can show it."""
    if key is not None:
        OnceKey.objects.filter(key=key).update(object_id=saved.pk)


def once_keys_prune(*, days: int = 30) -> int:
    """Forget the keys used more than `days` ago: no browser retries a post that late."""
    deleted, _by_model = OnceKey.objects.filter(
        used_at__lt=timezone.now() - timedelta(days=days)
    ).delete()
    return deleted
