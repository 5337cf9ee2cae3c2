from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.services import second_factor_reset

admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    actions = ["reset_second_factor"]

    @admin.action(
        description=_("Reset two-factor login (lost or new phone)"), permissions=["change"]
    )
    def reset_second_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            second_factor_reset(user=user)
            self.log_change(request, user, "Reset two-factor login")  # the user's admin history
        self.message_user(
            request,
            ngettext(
                "Two-factor login was reset for %(count)d user: she must set up her app again "
                "at her next login.",
                "Two-factor login was reset for %(count)d users: each must set up her app again "
                "at her next login.",
                len(queryset),
            )
            % {"count": len(queryset)},
            messages.SUCCESS,
        )
