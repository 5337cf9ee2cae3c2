"""The contact log on other parts' pages (household, case), and small helpers of the round."""

from datetime import date, datetime

from django import template
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from cases.models import Case
from households.models import Household
from outreach.forms import ContactForm
from outreach.models import HelpTopic, HomeObservation
from outreach.permissions import can_view_observations
from outreach.views.contacts import log_context, undo_context

register = template.Library()


@register.filter
def day(value: date | datetime | None) -> str:
    """'3. marts', with the year only when it is not this year's."""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    this_year = value.year == timezone.localdate().year
    return formats.date_format(value, "j. F" if this_year else "j. F Y")


@register.filter
def is_today(value: datetime | None) -> bool:
    return bool(value) and timezone.localtime(value).date() == timezone.localdate()


@register.filter
def floor_name(floor: int | None) -> str:
    """The heading of a floor in a round: 'Stuen', '1. sal', 'Kælder'."""
    if floor is None:
        return _("House")
    if floor == 0:
        return _("Ground floor (st.)")
    if floor < 0:
        return _("Basement")
    return _("%(floor)s. floor") % {"floor": floor}


@register.filter
def observation_labels(values: list[str]) -> list[str]:
    labels = dict(HomeObservation.choices)
    return [str(labels[value]) for value in values if value in labels]


@register.filter
def help_topic_labels(values: list[str]) -> list[str]:
    labels = dict(HelpTopic.choices)
    return [str(labels[value]) for value in values if value in labels]


@register.inclusion_tag("outreach/contacts/summary_line.html")
def contact_summary_line(summary) -> dict:
    return {"summary": summary}


@register.inclusion_tag("outreach/contacts/contact_log.html", takes_context=True)
def household_contact_log(context, household: Household) -> dict:
    """The contact log section of the household page, with the form to record a contact."""
    request = context["request"]
    if not request.user.has_perm("outreach.view_contact"):
        return {"hidden": True}
    form = None
    if request.user.has_perm("outreach.add_contact"):
        form = ContactForm(can_observe=can_view_observations(request.user))
    return {**log_context(request, household, form), "request": request}


@register.inclusion_tag("outreach/contacts/contact_log_compact.html", takes_context=True)
def case_contacts(context, case: Case) -> dict:
    """The newest contacts of the case's household, on the case page."""
    request = context["request"]
    if not request.user.has_perm("outreach.view_contact"):
        return {"hidden": True}
    log = log_context(request, case.household, None)
    return {
        **log,
        **undo_context(request),
        "request": request,
        "case": case,
        "next": reverse("cases:detail", args=[case.pk]),
    }
