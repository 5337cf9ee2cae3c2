from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import models
from django.utils.translation import gettext_lazy as _


class UserSession(models.Model):
    """A session a user logged in with, so that all of them can be ended at once (deactivation).

    A real foreign key to Django's session row: the row goes when the session does (logout,
    expiry cleared by clearsessions, a new key at login), so nothing stale accumulates.
    """

    session = models.OneToOneField(
        Session, on_delete=models.CASCADE, primary_key=True, verbose_name=_("session")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="login_sessions",
        verbose_name=_("user"),
    )
    logged_in_at = models.DateTimeField(_("logged in at"), auto_now_add=True)

    class Meta:
        verbose_name = _("login session")
        verbose_name_plural = _("login sessions")

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.logged_in_at:%Y-%m-%d %H:%M}"
