"""Django's database sessions, keeping the per-user list (UserSession) right when a logged-in
session gets a new key (Django does so on a password change, update_session_auth_hash)."""

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DbSessionStore


class SessionStore(DbSessionStore):
    def cycle_key(self) -> None:
        super().cycle_key()  # deletes the old row, and with it the old key's UserSession
        user_id = self.get(SESSION_KEY)
        if user_id is not None and self.session_key:
            from accounts.models import UserSession

            UserSession.objects.update_or_create(
                session_id=self.session_key, defaults={"user_id": user_id}
            )
