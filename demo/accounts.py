"""The demo users' second factor: one authenticator-app key for all of them, published in the
README (never on a real database: load_demo_data refuses to run there)."""

import base64
import time

from django.contrib.auth.models import User
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

# Base32, as an authenticator app takes it. 20 bytes, like a generated key.
DEMO_TOTP_SECRET = "GENHUSNINGDEMOKODEGENHUSNINGDEMO"  # noqa: S105 - published on purpose
DEMO_TOTP_KEY = base64.b32decode(DEMO_TOTP_SECRET).hex()


def demo_totp_code(at: float | None = None) -> str:
    """The code an authenticator app with the demo key shows now."""
    totp = TOTP(bytes.fromhex(DEMO_TOTP_KEY))
    totp.time = time.time() if at is None else at
    return f"{totp.token():06d}"


def accounts_demo_load(*, users: dict[str, User]) -> None:
    """Every demo user has the demo key as her confirmed authenticator app."""
    for user in users.values():
        device = TOTPDevice.objects.filter(user=user, name="Demo").first()
        if device is None:
            TOTPDevice.objects.create(user=user, name="Demo", key=DEMO_TOTP_KEY, confirmed=True)
        elif device.key != DEMO_TOTP_KEY or not device.confirmed:
            device.key, device.confirmed = DEMO_TOTP_KEY, True
            device.save(update_fields=["key", "confirmed"])
