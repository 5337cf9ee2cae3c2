"""The contact log on other parts' pages (household, case), and small helpers of the round."""

import functools
from datetime import date, datetime

from django import template
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import join, linebreaksbr
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import formats, timezone, translation
from django.utils.html import conditional_escape as esc
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cases.models import Case
from households.models import Household
from households.templatetags.people import staff_name
from outreach.forms import ContactForm
from outreach.models import Channel, Contact, HelpTopic, HomeObservation, Outcome
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


# --- one contact as a list item, written in Python (a log shows five to fifty of them) ---


def contact_labels() -> dict:
    """The words and link of a contact item, translated and reversed once per language."""
    return _contact_labels(get_language(), get_script_prefix(), get_urlconf())


@functools.lru_cache(maxsize=16)
def _contact_labels(language: str, _prefix: str, _urlconf) -> dict:
    with translation.override(language):
        return {
            "met": esc(_("Met")),
            "observations": esc(_("Observations about the home")),
            "help": esc(_("Needed help with")),
            "next_step": esc(_("Next step")),
            "undo": esc(_("Undo")),
            "undo_url": reverse("outreach:contact_undo", args=[918273645]),
            # get_outcome_display() builds the dict of every choice on each call
            "outcome": {value: esc(label) for value, label in Outcome.choices},
            "channel": {value: esc(label) for value, label in Channel.choices},
        }


def contact_item_html(
    contact: Contact,
    *,
    can_observe: bool,
    can_undo: bool,
    next_url: str,
    csrf_token: str | None,
    labels: dict,
) -> str:
    """The <li> of a contact, as outreach/contacts/contact_item.html wrote it: when, outcome,
    channel and staff, who was met, the note, the observations about the home (`can_observe`),
    the help needed, the next step, and the form that undoes it (`can_undo`: her own contact of
    the last minutes)."""
    occurred_at = timezone.localtime(contact.occurred_at)  # as the date filter does
    parts = [
        f'<li class="contact {"contact-reached" if contact.reached else "contact-unanswered"}">\n'
        f'  <div class="contact-head">\n'
        f'    <time datetime="{esc(date_filter(occurred_at, "c"))}">{esc(day(contact.occurred_at))}'
        f" {esc(date_filter(occurred_at, 'H:i'))}</time>\n"
        f'    <strong class="contact-outcome">{_choice(labels["outcome"], contact.outcome)}'
        "</strong>\n"
        f'    <span class="muted">{_choice(labels["channel"], contact.channel)}'
        f" · {esc(staff_name(contact.staff))}</span>\n"
        "  </div>\n  "
    ]
    if contact.met:
        parts.append(f'<div class="contact-met">{labels["met"]}: {esc(contact.met)}</div>')
    parts.append("\n  ")
    if contact.note:
        parts.append(f'<p class="contact-note">{linebreaksbr(contact.note, autoescape=True)}</p>')
    parts.append("\n  ")
    if can_observe and (contact.observations or contact.observation_note):
        tags = "".join(
            f'<span class="tag tag-warn">{esc(label)}</span> '
            for label in observation_labels(contact.observations)
        )
        note = (
            f"<div>{linebreaksbr(contact.observation_note, autoescape=True)}</div>"
            if contact.observation_note
            else ""
        )
        parts.append(
            '\n  <div class="sensitive contact-observations">\n'
            f'    <span class="visually-hidden">{labels["observations"]}:</span>\n'
            f"    {tags}\n    {note}\n  </div>\n  "
        )
    parts.append("\n  ")
    if contact.help_topics:
        topics = join(help_topic_labels(contact.help_topics), ", ", autoescape=True)
        parts.append(f'<div class="small muted">{labels["help"]}: {topics}</div>')
    parts.append("\n  ")
    if contact.next_step or contact.next_step_on:
        on = f"<strong>{esc(day(contact.next_step_on))}</strong> " if contact.next_step_on else ""
        parts.append(
            f'<div class="contact-next"><span class="label">{labels["next_step"]}:</span> '
            f"{on}{esc(contact.next_step)}</div>"
        )
    parts.append("\n  ")
    if can_undo:
        undo_url = labels["undo_url"].replace("918273645", str(int(contact.pk)))
        csrf = (
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{esc(csrf_token)}">'
            if csrf_token and csrf_token != "NOTPROVIDED"  # noqa: S105 - {% csrf_token %}'s marker
            else ""
        )
        parts.append(
            f'\n  <form method="post" action="{undo_url}" class="inline">\n'
            f'    {csrf}<input type="hidden" name="next" value="{esc(next_url)}">\n'
            f'    <button type="submit" class="link small">{labels["undo"]}</button>\n'
            "  </form>\n  "
        )
    parts.append("\n</li>")
    return "".join(parts)


def _choice(labels: dict, value: str) -> str:
    """get_FOO_display(), escaped: the label of a choice, the value itself if none."""
    return labels[value] if value in labels else esc(value)


@register.simple_tag(takes_context=True)
def contact_item(context) -> SafeString:
    """outreach/contacts/contact_item.html: the context's `contact` as a list item."""
    contact = context["contact"]
    undo_after = context.get("undo_after")
    user = context["request"].user
    return mark_safe(  # noqa: S308 - contact_item_html escapes every value it writes
        contact_item_html(
            contact,
            can_observe=bool(context.get("can_observe")),
            can_undo=contact.staff_id == user.pk
            and contact.created_at is not None
            and undo_after is not None
            and contact.created_at > undo_after,
            next_url=str(context.get("next", "")),
            csrf_token=context.get("csrf_token"),
            labels=contact_labels(),
        )
    )
