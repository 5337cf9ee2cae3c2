"""Demo partners, consents, referrals, checklists, follow-up plans and communities for
Vestegnen. Fictional; deterministic; loaded once (each part checks whether it has run)."""

from datetime import date

from django.contrib.auth.models import User


def referrals_demo_load(*, users: dict[str, User], today: date) -> bool:
    """Load every part that is not loaded yet; True if anything was created."""
    created = False
    created |= _consents_and_referrals_load(users=users, today=today)
    created |= _visitator_load(users=users, today=today)
    created |= _bridge_building_load(users=users, today=today)
    return created


# --- partners, consents, referrals, checklists ---


def _consents_and_referrals_load(*, users: dict[str, User], today: date) -> bool:
    return False


# --- the municipal visitator ---


def _visitator_load(*, users: dict[str, User], today: date) -> bool:
    return False


# --- bridge-building and communities ---


def _bridge_building_load(*, users: dict[str, User], today: date) -> bool:
    return False
