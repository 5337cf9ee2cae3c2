"""The caseload's rows, written here rather than by the template engine: the list shows fifty
rows of a dozen cells, and the engine spent about a millisecond a row resolving, escaping and
filtering them (the page's largest cost at 50,000 households). The markup is the one
cases/caseload.html had in its row loop; the words are translated once a page."""

import html
from datetime import date

from django import template
from django.utils.dates import MONTHS_3
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from households.models import household_name_text
from households.selectors import household_name_of
from households.templatetags.people import household_name_html, vulnerability_badge

register = template.Library()

_ROW = (
    "\n      <tr>\n"
    '        <td data-label="{household}" class="cell-household">{pick}'
    '<a href="{url}" class="case-link">{name}</a>\n'
    '          <div class="muted small project-name">{project}</div>\n'
    "          {badges}</td>\n"
    '        <td data-label="{address_label}" class="cell-address">{address}</td>\n'
    '        <td data-label="{stage_label}" class="badge-cell">'
    '<span class="badge stage stage-{stage}">{stage_text}</span></td>\n'
    '        <td data-label="{vulnerability_label}" class="badge-cell">{vulnerability}</td>\n'
    '        <td data-label="{next_label}" class="cell-next">\n'
    "          {next_on}\n"
    "          {next_step}\n"
    "        </td>\n"
    '        <td data-label="{move_out_label}" class="cell-move-out">'
    '<span class="phone-label">{move_out_label}: </span>{move_out}</td>\n'
    "        \n"
    '        <td data-label="{staff_label}" class="cell-staff{staff_class}">'
    '<span class="phone-label">{staff_label}: </span>{staff}</td>\n'
    "        \n"
    "      </tr>\n    "
)


@register.simple_tag(takes_context=True)
def caseload_rows(context, cases: list, badges: dict | None, can_knock: bool) -> SafeString:
    """The table rows of the caseload's `cases` (caseload_ordered's, with `stage_label`,
    `detail_url`, `is_mine`, and the staff's names `assigned` and `other_staff` set by the
    view). `badges`: the open flags' badges per household (outreach's open_flag_badges_of);
    None or empty, and the rows have no badge cell part."""
    today: date = context["today"]
    words = {
        "household": _("Household"),
        "address_label": _("Address"),
        "stage_label": _("Stage"),
        "vulnerability_label": _("Vulnerability"),
        "next_label": _("Next step"),
        "move_out_label": _("Move-out"),
    }
    words = {key: conditional_escape(word) for key, word in words.items()}
    staff_word, also_word = (
        conditional_escape(_("Staff")),
        conditional_escape(_("Also on the case")),
    )
    overdue = format_html('<span class="visually-hidden"> ({})</span>', _("overdue"))
    pick_title, choose = (
        conditional_escape(_("Choose for a door-knock round")),
        _("Choose %(name)s for a door-knock round"),
    )
    only_you = format_html('<span class="muted">{}</span>', _("Only you"))
    no_staff = format_html('<span class="muted">{}</span>', _("None"))
    # date_format(value, "j. b") and "j. b Y", from the month names translated once a page
    # (date_format parses its pattern and builds a formatter for each date)
    months = {number: str(name) for number, name in MONTHS_3.items()}

    def day(value: date | None, *, year: bool = False) -> str:
        if value is None:
            return ""
        text = f"{value.day}. {months[value.month]}"
        return f"{text} {value.year:04d}" if year else text

    levels: dict = {}
    rows = []
    for case in cases:
        household = case.household
        name_and_others = household_name_of(case.resident_rows)
        pick = ""
        if can_knock:
            # blocktranslate's way: the words as translated, the name escaped
            label = choose % {"name": conditional_escape(household_name_text(*name_and_others))}
            pick = SafeString(
                f'<label class="pick" title="{pick_title}"><input type="checkbox" name="bolig"'
                f' value="{_escape(household.flat_id)}"><span class="visually-hidden">{label}'
                "</span></label>"
            )
        next_on = ""
        if case.next_step_on:
            late = case.next_step_on < today
            next_on = SafeString(
                f'<time datetime="{case.next_step_on.isoformat()}"'
                f' class="{"overdue" if late else ""}">{_escape(day(case.next_step_on))}'
                f"{overdue if late else ''}</time>"
            )
        if case.is_mine:
            staff_label, people = also_word, case.other_staff
            staff_class = "" if people else " cell-empty"
            empty = only_you
        else:
            staff_label, people = staff_word, case.assigned
            staff_class, empty = "", no_staff
        staff = conditional_escape(", ".join(people)) if people else empty
        if case.vulnerability not in levels:
            levels[case.vulnerability] = vulnerability_badge(case.vulnerability)
        cells = dict(
            words,
            pick=pick,
            url=case.detail_url,
            name=household_name_html(*name_and_others),
            project=case.project.name,
            badges=format_html(
                '<div class="flag-badges">{}</div>', badges.get(case.household_id, "")
            )
            if badges
            else "",
            address=household.flat.address,
            stage=case.stage,
            stage_text=case.stage_label,
            vulnerability=levels[case.vulnerability],
            next_on=next_on,
            next_step=case.next_step or "",
            move_out=day(case.effective_move_out_on, year=True) or "—",
            staff_label=staff_label,
            staff_class=staff_class,
            staff=staff,
        )
        # format_html's escaping, without its per-argument wrappers (a thousand cells a page)
        rows.append(_ROW.format_map({key: _escape(value) for key, value in cells.items()}))
    return SafeString("".join(rows))


def _escape(value) -> str:
    """conditional_escape: markup as it is, anything else escaped as django.utils.html.escape
    does it (html.escape)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))
