from django import template
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from outreach.models import HomeObservation
from referrals.models import DataCategory

register = template.Library()

# Short names for the tags on the visitator's pages (the full ones are sentences).
SHORT_LABELS: dict[str, str | Promise] = {
    DataCategory.IDENTITY: _("Names and contact details"),
    DataCategory.HOUSING: _("Rehousing"),
    DataCategory.SOCIAL: _("Social note"),
    DataCategory.VULNERABILITY: _("Vulnerability"),
    DataCategory.CONTACTS: _("Contact log"),
    DataCategory.HOME: _("Observations about the home"),
}


@register.filter
def category_labels(categories) -> list[str]:
    """Short labels of data categories, in the order of DataCategory."""
    return [str(SHORT_LABELS[value]) for value in DataCategory.values if value in categories]


@register.filter
def observation_labels(observations) -> list[str]:
    return [str(label) for value, label in HomeObservation.choices if value in observations]
