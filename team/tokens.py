"""The one-time link of an invitation: Django's password-reset tokens with a salt of their own
(a reset link is no invitation, nor the other way round) and a lifetime of their own."""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "genhusning.team.InvitationTokenGenerator"

    def _make_hash_value(self, user, timestamp: int) -> str:
        # Setting the password changes the hash (the link works once); deactivating her too.
        return super()._make_hash_value(user, timestamp) + str(user.is_active)

    def check_token(self, user, token) -> bool:
        """Django's check, with INVITATION_DAYS instead of PASSWORD_RESET_TIMEOUT."""
        if not (user and token):
            return False
        try:
            timestamp_b36, _hash = token.split("-")
            timestamp = base36_to_int(timestamp_b36)
        except ValueError:
            return False
        if self._num_seconds(self._now()) - timestamp > settings.INVITATION_DAYS * 24 * 60 * 60:
            return False
        return any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        )


invitation_token_generator = InvitationTokenGenerator()
