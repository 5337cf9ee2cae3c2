"""Django's database sessions, keeping the per-user list (UserSession) right when a logged-in
session gets a new key (Django does so on a password change, update_session_auth_hash), and
not rewriting an unchanged session on every request."""

from datetime import datetime, timedelta

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DbSessionStore

# SESSION_SAVE_EVERY_REQUEST moves the idle timeout on with each request, by an UPDATE and a
# commit every time. An unchanged session is written only once its stored expiry is this far
# behind: an idle session may then end up to this much before SESSION_COOKIE_AGE, never later.
EXPIRY_REFRESH = timedelta(seconds=60)


class SessionStore(DbSessionStore):
    _stored_expiry: datetime | None = None  # the expiry read with the session, if it was

    def _get_session_from_db(self):
        stored = super()._get_session_from_db()  # type: ignore[misc]  # not in django-stubs
        self._stored_expiry = stored.expire_date if stored is not None else None
        return stored

    def save(self, must_create: bool = False) -> None:
        if (
            not must_create
            and not self.modified
            and self._stored_expiry is not None
            and self.get_expiry_date() - self._stored_expiry < EXPIRY_REFRESH
        ):
            return
        super().save(must_create=must_create)
        self._stored_expiry = None

    def cycle_key(self) -> None:
        super().cycle_key()  # deletes the old row, and with it the old key's UserSession
        user_id = self.get(SESSION_KEY)
        if user_id is not None and self.session_key:
            from accounts.models import UserSession

            UserSession.objects.update_or_create(
                session_id=self.session_key, defaults={"user_id": user_id}
            )
