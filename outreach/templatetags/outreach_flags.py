"""Open flags on other parts' pages (household, case, caseload), resolvable where they are."""

from datetime import date

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape as esc
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from cases.models import Case
from households.models import Household
from households.templatetags.people import staff_name
from outreach.models import Flag, FlagKind
from outreach.scan import flag_reason_text
from outreach.selectors import household_open_flags, open_flags
from outreach.templatetags.outreach_contacts import day

register = template.Library()


def _flags_context(
    context, household: Household, next_url: str, flags: list[Flag] | None = None
) -> dict:
    request = context["request"]
    if not request.user.has_perm("outreach.view_flag"):
        return {"flags": []}
    if flags is None:
        flags = list(household_open_flags(user=request.user, household=household))
    return {
        "flags": flags,
        "can_resolve": request.user.has_perm("outreach.change_flag"),
        "next": next_url,
        "request": request,
    }


@register.simple_tag(takes_context=True)
def household_open_flag_list(context, household: Household) -> list[Flag] | None:
    """The household's open flags, read once for the household page's sections that show them
    (`{% household_open_flag_list household as flags %}`); None for a user who may not see
    flags."""
    user = context["request"].user
    if not user.has_perm("outreach.view_flag"):
        return None
    return list(household_open_flags(user=user, household=household))


@register.inclusion_tag("outreach/flags/open_flags.html", takes_context=True)
def household_flags(context, household: Household, flags: list[Flag] | None = None) -> dict:
    return _flags_context(context, household, context["request"].get_full_path(), flags)


@register.inclusion_tag("outreach/flags/open_flags.html", takes_context=True)
def case_flags(context, case: Case) -> dict:
    return _flags_context(context, case.household, context["request"].get_full_path())


@register.simple_tag(takes_context=True)
def open_flags_of(context, cases) -> dict[int, list[Flag]]:
    """The open flags of the households of a list of cases (one query), for flag_badges; none
    for a user who may not see flags."""
    if not context["request"].user.has_perm("outreach.view_flag"):
        return {}
    return open_flags(household_ids=[case.household_id for case in cases])


@register.simple_tag(takes_context=True)
def open_flag_badges_of(context, cases) -> dict[int, str]:
    """open_flags_of as the badges of each household with open flags (flag_badges), for a list
    that writes its rows itself (the caseload's caseload_rows)."""
    flags = open_flags_of(context, cases)
    return {household_id: flag_badges(flags, household_id) for household_id in flags}


@register.simple_tag
def flag_badges(flags_by_household: dict, household_id: int) -> str:
    """Badges with the kinds of a household's open flags (from selectors.open_flags)."""
    flags = (flags_by_household or {}).get(household_id, [])
    return format_html_join(
        " ",
        '<span class="tag tag-flag" title="{}">{}</span>',
        ((flag_reason_text(flag), _KIND_LABELS.get(flag.kind, flag.kind)) for flag in flags),
    )


# get_kind_display's labels (translated when written), without the dictionary of the choices
# it builds at each call (the caseload's badges: one a flag, fifty rows a page); the badges and
# the flags page's items both take a kind's label from here
_KIND_LABELS = dict(FlagKind.choices)


@register.filter
def flag_reason(flag: Flag) -> str:
    """The reason of the flag in the reader's language."""
    return flag_reason_text(flag)


# --- one flag as a list item, written in Python (the flags page shows 50 of them) ---


COMPACT_INPUT = '<input type="hidden" name="compact" value="1">'


def flag_item_html(
    flag: Flag,
    *,
    can_resolve: bool,
    compact: bool,
    form,
    next_url: str,
    csrf_token: str | None,
    labels: dict | None = None,
) -> str:
    """The <li> of a flag: its kind, when it was raised, the household (not `compact`), the
    reason, how it was resolved, and the form that resolves it (`can_resolve`, open flags).
    `form` is a FlagResolveForm with the user's input and errors, or None. `labels`: the
    translated words, shared by the items of one list (flag_labels)."""
    words = labels or flag_labels()
    is_open = flag.resolved_at is None
    raised_at = timezone.localtime(flag.raised_at)
    parts = [
        f'<li class="flag-item flag-{esc(flag.kind)}{"" if is_open else " flag-resolved"}"'
        f' id="flag-{flag.pk:d}">\n  <div class="flag-main">\n    <div class="flag-head">\n'
        f'      <span class="tag tag-flag">{_kind_label(flag, words)}</span>\n'
        f'      <time class="muted small" datetime="{raised_at.isoformat()}">'
        f"{_raised(raised_at.date(), words)}</time>\n    </div>\n    "
    ]
    if not compact:
        if flag.case_id:
            href = words["case_url"].replace("918273645", str(int(flag.case_id)))
        else:
            href = words["household_url"].replace("918273645", str(int(flag.household_id)))
        parts.append(
            f'\n    <div class="flag-who">\n      <a href="{href}"><strong>'
            f"{esc(_household_name(flag))}</strong></a>\n"
            f'      <span class="muted">{esc(flag.household.flat.address)}</span>\n    </div>\n    '
        )
    parts.append(f'\n    <p class="flag-reason">{_reason(flag, words)}</p>\n    ')
    errors = form["resolution"].errors if form else None
    if not is_open:
        resolved = words["resolved"] % {
            "when": esc(day(flag.resolved_at)),
            "who": esc(staff_name(flag.resolved_by)),
        }
        parts.append(
            f'\n    <p class="flag-resolution small">{resolved} {esc(flag.resolution)}</p>\n    '
        )
        if errors:
            parts.append(f'<p class="error small" role="alert">{esc(errors[0])}</p>')
        parts.append("\n    ")
    parts.append("\n  </div>\n  ")
    if can_resolve and is_open:
        resolve_url = words["resolve_url"].replace("918273645", str(int(flag.pk)))
        csrf = (
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{esc(csrf_token)}">'
            if csrf_token and csrf_token != "NOTPROVIDED"  # noqa: S105 - {% csrf_token %}'s marker
            else ""
        )
        value = form["resolution"].value() if form else None
        invalid = (
            f'aria-invalid="true" aria-describedby="resolution-{flag.pk:d}-error"' if errors else ""
        )
        error = (
            f'<small id="resolution-{flag.pk:d}-error" class="error" role="alert">'
            f"{esc(errors[0])}</small>"
            if errors
            else ""
        )
        parts.append(
            f'\n  <details class="flag-resolve" {"open" if form and form.errors else ""}>\n'
            f"    <summary>{words['resolve']}</summary>\n"
            f'    <form method="post" action="{resolve_url}" hx-post="{resolve_url}"'
            f' hx-target="#flag-{flag.pk:d}" hx-swap="outerHTML">\n'
            f"      {csrf}\n"
            f'      <input type="hidden" name="next" value="{esc(next_url)}">\n'
            f"      {COMPACT_INPUT if compact else ''}\n"
            f'      <label for="resolution-{flag.pk:d}">{words["how"]}</label>\n'
            f'      <div class="resolve-row">\n'
            f'        <input type="text" name="resolution" id="resolution-{flag.pk:d}"'
            f' maxlength="300" required autocomplete="off"\n'
            f'               value="{esc(value or "")}"\n'
            f"               {invalid}>\n"
            f'        <button type="submit">{words["resolve"]}</button>\n'
            f"      </div>\n"
            f"      {error}\n"
            f"    </form>\n  </details>\n  "
        )
    parts.append("\n</li>")
    return "".join(parts)


def _household_name(flag: Flag) -> str:
    """The household's display_name, as the flags page read it with the flag (flag_page's
    `household_name`), else from the household."""
    name = getattr(flag, "household_name", None)
    return flag.household.display_name() if name is None else name


def _kind_label(flag: Flag, words: dict) -> str:
    key = ("kind", flag.kind)
    if key not in words:
        words[key] = esc(_KIND_LABELS.get(flag.kind, flag.kind))
    return words[key]


def _raised(on: date, words: dict) -> str:
    """The "raised 3. marts" of a day, once: the flags of one scan share their day."""
    key = ("raised", on)
    if key not in words:
        words[key] = words["raised"] % {"when": esc(day(on))}
    return words[key]


def _reason(flag: Flag, words: dict) -> str:
    """The reason, worded once for the flags of a list that share their kind and facts (the
    scan's flags of one kind mostly do)."""
    try:
        key = ("reason", flag.kind, flag.reason, tuple(sorted((flag.reason_data or {}).items())))
        hash(key)
    except TypeError:  # facts with a list or a dict in them: worded each time
        return esc(flag_reason_text(flag))
    if key not in words:
        words[key] = esc(flag_reason_text(flag))
    return words[key]


def flag_labels() -> dict:
    """The words and links of a flag item, translated and reversed once for a list."""
    return {
        "raised": gettext("raised %(when)s"),
        "resolved": gettext("Resolved %(when)s by %(who)s:"),
        "resolve": esc(gettext("Resolve flag")),
        "how": esc(gettext("How was it resolved?")),
        "case_url": reverse("cases:detail", args=[918273645]),
        "household_url": reverse("households:detail", args=[918273645]),
        "resolve_url": reverse("outreach:flag_resolve", args=[918273645]),
    }


@register.simple_tag(takes_context=True)
def flag_item(context) -> SafeString:
    """outreach/flags/flag_item.html: the context's `flag` as a list item."""
    form = context.get("form")
    return mark_safe(  # noqa: S308 - flag_item_html escapes every value it writes
        flag_item_html(
            context["flag"],
            can_resolve=bool(context.get("can_resolve")),
            compact=bool(context.get("compact")),
            form=form or None,
            next_url=str(context.get("next", "")),
            csrf_token=context.get("csrf_token"),
        )
    )


@register.simple_tag(takes_context=True)
def flag_items(context, flags) -> SafeString:
    """The flags page's list: each flag as flag_item.html writes it, the words once."""
    labels = flag_labels()
    can_resolve = bool(context.get("can_resolve"))
    compact = bool(context.get("compact"))
    next_url = str(context.get("next", ""))
    csrf_token = context.get("csrf_token")
    return mark_safe(  # noqa: S308 - flag_item_html escapes every value it writes
        "".join(
            "\n"
            + flag_item_html(
                flag,
                can_resolve=can_resolve,
                compact=compact,
                form=None,
                next_url=next_url,
                csrf_token=csrf_token,
                labels=labels,
            )
            + "\n"
            for flag in flags
        )
    )
