from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender, **kwargs) -> None:
    from households.services import roles_sync

    roles_sync()


class HouseholdsConfig(AppConfig):
    name = "households"
    verbose_name = _("Households and estates")

    def ready(self) -> None:
        # After every migrate, the role groups get exactly the permissions of core/roles.py.
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="households.sync_roles")

        from django.contrib.auth import signals

        from core.database_roles import append_only
        from households import audit
        from households.models import AccessLog

        # The application's role may only read and insert in the access log (compose set-up).
        append_only(AccessLog._meta.db_table)

        signals.user_logged_in.connect(audit.on_logged_in, dispatch_uid="audit.login")
        signals.user_logged_out.connect(audit.on_logged_out, dispatch_uid="audit.logout")
        signals.user_login_failed.connect(audit.on_login_failed, dispatch_uid="audit.failed")
