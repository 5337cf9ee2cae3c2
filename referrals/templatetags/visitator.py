from django import template

from outreach.models import HomeObservation
from referrals.models import DataCategory

register = template.Library()


@register.filter
def category_labels(categories) -> list[str]:
    """The labels of data categories, in the order of DataCategory."""
    return [str(label) for value, label in DataCategory.choices if value in categories]


@register.filter
def observation_labels(observations) -> list[str]:
    return [str(label) for value, label in HomeObservation.choices if value in observations]
