"""Refusing by role: the one way a view or an access gate says "your role may not do this"."""

from django.core.exceptions import PermissionDenied


def require_perm(user, perm: str) -> None:
    """403 unless the user's role gives `perm` (core/roles.py). Which objects she may reach is
    each app's permissions.py (404 for what she may not see); this says what she may do."""
    if not user.has_perm(perm):
        raise PermissionDenied
