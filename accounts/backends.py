"""Django's permission backend, reading a user's permissions in one query instead of two."""

import functools

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection


@functools.cache
def _permissions_sql() -> str:
    user_model = get_user_model()
    quote = connection.ops.quote_name
    return (
        "SELECT content_type.app_label, permission.codename, held.through_group"  # noqa: S608 (names from the models)
        " FROM (SELECT permission_id, false AS through_group"
        f" FROM {quote(user_model.user_permissions.through._meta.db_table)}"
        " WHERE user_id = %(user)s"
        " UNION ALL SELECT permission_id, true"
        f" FROM {quote(Permission.group_set.through._meta.db_table)}"
        " WHERE group_id IN (SELECT group_id"
        f" FROM {quote(user_model.groups.through._meta.db_table)} WHERE user_id = %(user)s)"
        ") AS held"
        f" JOIN {quote(Permission._meta.db_table)} AS permission"
        " ON permission.id = held.permission_id"
        f" JOIN {quote(ContentType._meta.db_table)} AS content_type"
        " ON content_type.id = permission.content_type_id"
    )


class PermissionBackend(ModelBackend):
    """ModelBackend, but a user's own permissions and her groups' are read together: every
    request that checks a permission pays for this, once (the sets are kept on the user
    object, in the attributes ModelBackend uses). Superusers, inactive and anonymous users and
    object permissions are left to ModelBackend, unchanged."""

    def get_all_permissions(self, user_obj, obj=None):
        if (
            user_obj.is_active
            and not user_obj.is_anonymous
            and obj is None
            and not user_obj.is_superuser
            and not hasattr(user_obj, "_perm_cache")
        ):
            own: set[str] = set()
            through_groups: set[str] = set()
            with connection.cursor() as cursor:
                cursor.execute(_permissions_sql(), {"user": user_obj.pk})
                for app_label, codename, through_group in cursor.fetchall():
                    (through_groups if through_group else own).add(f"{app_label}.{codename}")
            user_obj._user_perm_cache = own
            user_obj._group_perm_cache = through_groups
            user_obj._perm_cache = own | through_groups
        return super().get_all_permissions(user_obj, obj)
