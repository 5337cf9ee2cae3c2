"""The project page's table of stairwells, a row each, written in Python: a project has hundreds
of stairwells, and the template loop cost ~13 nodes a row (the dates, every stage's count, the
links), most of the page's time. The HTML is the loop's, byte for byte."""

from django import template
from django.utils.html import conditional_escape as esc
from django.utils.safestring import SafeString, mark_safe

from cases.selectors import StairwellRow
from core.templatetags.dates import numeric_date

register = template.Library()

NO_DATE = "—"


@register.simple_tag
def schedule_rows(rows: list[StairwellRow], expects_return: bool, door_knock: str) -> SafeString:
    """The <tr> of each row: the stairwell (with the door-knock round's link when she may
    knock), its schedule's dates and its count of cases in each stage shown."""
    knock = esc(door_knock)
    date_fields = ("notice_on", "packing_on", "move_out_on") + (
        ("return_on",) if expects_return else ()
    )
    parts = []
    for row in rows:
        link = (
            f' <a href="{esc(row.round_url)}" class="small round-link">{knock}</a>'
            if row.round_url
            else ""
        )
        schedule = row.schedule
        dates = [numeric_date(getattr(schedule, field, None)) or NO_DATE for field in date_fields]
        parts.append(
            f'\n    <tr>\n      <th scope="row">{esc(str(row.stairwell))}{link}</th>\n'
            f"      <td>{dates[0]}</td>\n      <td>{dates[1]}</td>\n      <td>{dates[2]}</td>\n"
            f"      {f'<td>{dates[3]}</td>' if expects_return else ''}\n      "
            + "".join(
                f'<td class="num">{count:d}</td>' if count else '<td class="num zero">0</td>'
                for count in row.counts
            )
            + f'\n      <td class="num"><strong>{row.total:d}</strong></td>\n    </tr>\n  '
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped or a number
