from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def staff_name(user) -> str:
    """A staff member's full name, her username if she has none, and a word if she is gone."""
    if user is None:
        return _("the system")
    return user.get_full_name() or user.get_username()
