"""The household page's section of letters from templates: each letter, how and when it went."""

from django import template
from django.utils import timezone

from outreach.letters.models import SentVia
from outreach.letters.permissions import batches_for_user, letters_for_user

register = template.Library()


@register.inclusion_tag("outreach/letters/sent/household_section.html", takes_context=True)
def household_sent_letters(context, household) -> dict:
    user = context["request"].user
    if not user.has_perm("outreach.view_letter"):
        return {"visible": False}
    letters = (
        letters_for_user(user)
        .filter(household=household)
        .select_related("template_version__template", "awaited_reply", "offer")
        .order_by("-created_at", "-pk")
    )
    return {
        "visible": True,
        "household": household,
        "letters": list(letters),
        "today": timezone.localdate(),
        "sent_via": SentVia.choices,
        "can_add": user.has_perm("outreach.add_letter"),
        "can_change": user.has_perm("outreach.change_letter"),
    }


@register.inclusion_tag("outreach/letters/sent/project_section.html", takes_context=True)
def project_letter_batches(context, project) -> dict:
    user = context["request"].user
    if not user.has_perm("outreach.view_letterbatch"):
        return {"visible": False}
    batches = (
        batches_for_user(user)
        .filter(project=project)
        .select_related("template", "stairwell")
        .order_by("-created_at", "-pk")[:5]
    )
    return {
        "visible": True,
        "project": project,
        "batches": list(batches),
        "can_add": user.has_perm("outreach.add_letterbatch") and not project.closed_at,
    }
