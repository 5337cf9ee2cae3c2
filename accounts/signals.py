from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.services import session_login_record, sessions_end_for_user


@receiver(user_logged_in, dispatch_uid="accounts_session_login_record")
def _session_login_record(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        session_login_record(request=request, user=user)


@receiver(post_save, sender=User, dispatch_uid="accounts_deactivated_user_sessions_end")
def _deactivated_user_sessions_end(sender, instance: User, **kwargs) -> None:
    # However the account was deactivated (the service, the admin, a shell), its sessions go.
    if not instance.is_active:
        sessions_end_for_user(instance.pk)


@receiver(post_delete, sender=TOTPDevice, dispatch_uid="accounts_deleted_device_sessions_end")
def _deleted_device_sessions_end(sender, instance: TOTPDevice, **kwargs) -> None:
    # An administrator resets a lost phone: whoever holds a session verified with it is out.
    if instance.confirmed:
        sessions_end_for_user(instance.user_id)
