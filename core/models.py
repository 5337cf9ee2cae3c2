"""The one model of core: the one-time keys of the forms that create something (core/once.py)."""

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class OnceKey(models.Model):
    """A form's one-time key, used by the save it made. The primary key is the guard: a second
    post with the same key cannot insert it again, and waits for the first one's transaction."""

    key = models.UUIDField(primary_key=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.BigIntegerField(null=True)
    used_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return str(self.key)
