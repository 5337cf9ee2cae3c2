"""Charts as SVG markup, drawn on the server: the same picture in the PDF and on the page.

Every chart of the app is drawn here, through the primitives at the top (the <svg> with its
accessible name, text, rectangles, lines, the legend, one way to write a number): the status
reports' stage funnel, contacts per week and attendance per meeting, and the waterbed's chart
per destination area.

Readable in black and white: every bar carries its number, series differ by fill (dark grey,
white with a black outline, hatching, a dashed outline), never by colour alone. Every text is
escaped where it is drawn (names of areas, meetings and stages come from users). Presentation
attributes only, never a style attribute (the CSP allows no inline style). No JavaScript, no
library.
"""

import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from cases.logistics.waterbed import AreaRow

INK = "#1f2933"
GREY = "#37404c"
DARK = "#4a5563"
LIGHT = "#c9cfd8"
WHITE = "#ffffff"
FONT = 'font-family="DejaVu Sans, Liberation Sans, sans-serif"'

# Hatching for the second series: shows up on any printer, and in a photocopy of a printout.
_HATCH = (
    '<defs><pattern id="{id}" width="5" height="5" patternUnits="userSpaceOnUse" '
    f'patternTransform="rotate(45)"><rect width="5" height="5" fill="{WHITE}"/>'
    f'<line x1="0" y1="0" x2="0" y2="5" stroke="{INK}" stroke-width="2"/></pattern></defs>'
)


# --- Primitives ------------------------------------------------------------------------------


def _n(value: float) -> str:
    """A coordinate or length: one decimal, whatever the sum made of it."""
    return f"{value:.1f}"


def _attrs(attrs: dict[str, object]) -> str:
    """Keyword arguments as SVG attributes: `font_size` becomes `font-size`."""
    return "".join(
        f' {name.replace("_", "-")}="{escape(str(value))}"' for name, value in attrs.items()
    )


def _svg(
    width: int,
    height: int,
    label: str,
    body: list[str],
    *,
    css_class: str = "chart",
    fluid: bool = False,
) -> SafeString:
    """The chart with its accessible name (aria-label and <title>). A `fluid` one has no size
    of its own and takes the page's font: the CSS gives it the width of its box."""
    title = escape(label)
    size = "" if fluid else f'width="{width}" height="{height}" '
    font = "" if fluid else f' {FONT} font-size="11"'
    return mark_safe(  # noqa: S308  # every text in `body` is escaped where it is made
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" {size}'
        f'role="img" aria-label="{title}" class="{css_class}"{font}>'
        f"<title>{title}</title>{''.join(body)}</svg>"
    )


def _text(
    x: float, y: float, text: object, *, anchor: str = "start", fill: str = INK, **attrs
) -> str:
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" fill="{fill}"{_attrs(attrs)}>'
        f"{escape(str(text))}</text>"
    )


def _rect(x: float, y: float, width: float, height: float, *, fill: str, **attrs) -> str:
    return (
        f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(width)}" height="{_n(height)}" '
        f'fill="{fill}"{_attrs(attrs)}/>'
    )


def _line(x1: float, y1: float, x2: float, y2: float, *, stroke_width: str, **attrs) -> str:
    return (
        f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" stroke="{INK}" '
        f'stroke-width="{stroke_width}"{_attrs(attrs)}/>'
    )


def _legend(entries: list[tuple[str, str]], *, x: float, y: float) -> list[str]:
    """A swatch (outlined, in the series' fill) and its name per series, in a row."""
    parts = []
    for fill, name in entries:
        parts.append(_rect(x, y, 12, 12, fill=fill, stroke=INK, stroke_width="0.8"))
        parts.append(_text(x + 17, y + 10, name))
        x += 30 + 7 * len(name)
    return parts


def _wrapped_text(x: float, y: float, text: str, *, per_line: int, line_height: int) -> str:
    """Right-aligned text on as many lines as it needs (a meeting's whole name, not cut)."""
    lines = textwrap.wrap(text, max(per_line, 8)) or [""]
    spans = "".join(
        f'<tspan x="{_n(x)}" dy="{0 if index == 0 else line_height}">{escape(line)}</tspan>'
        for index, line in enumerate(lines)
    )
    return f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="end" fill="{INK}">{spans}</text>'


def _label_width(names: Sequence[str], width: int) -> int:
    """Room for the longest label (about 6.3 units a character at font size 11), within reason."""
    longest = max((len(name) for name in names), default=0)
    return min(int(width * 0.42), int(longest * 6.3) + 12)


def _empty(width: int, label: str) -> SafeString:
    return _svg(width, 40, label, [_text(0, 24, _("Nothing to show yet."), fill_opacity="0.7")])


# --- The status reports ----------------------------------------------------------------------


def stage_funnel(rows: Sequence[tuple[str, int]], *, width: int = 640) -> SafeString:
    """How many households reached each step of the rehousing: one bar per step, widest first."""
    label = _("Stage funnel")
    if not rows or not max(count for _label, count in rows):
        return _empty(width, label)
    top = max(count for _label, count in rows)
    label_width, bar_height, gap = _label_width([name for name, _count in rows], width), 20, 6
    space = width - label_width - 80  # room for the number right of the widest bar
    body = []
    for index, (name, count) in enumerate(rows):
        y = index * (bar_height + gap)
        bar = max(2.0, space * count / top) if count else 0
        # Centred bars make the funnel; the number sits just right of each bar.
        x = label_width + (space - bar) / 2
        shade = DARK if index % 2 == 0 else LIGHT
        body.append(_text(label_width - 8, y + 14, name, anchor="end"))
        body.append(_rect(x, y, bar, bar_height, fill=shade, stroke=INK, stroke_width="0.6"))
        share = round(100 * count / top)
        body.append(_text(x + bar + 6, y + 14, f"{count} ({share} %)", font_weight="bold"))
    return _svg(width, len(rows) * (bar_height + gap), label, body)


def contacts_per_week(
    weeks: Sequence[tuple[str, int, int]], *, width: int = 640, height: int = 190
) -> SafeString:
    """Attempts and contacts (reached) per week: a white and a hatched column per week."""
    label = _("Contacts per week")
    if not weeks or not max(attempts for _label, attempts, _reached in weeks):
        return _empty(width, label)
    top = max(attempts for _label, attempts, _reached in weeks)
    plot_top, plot_bottom, left = 34, height - 22, 4
    plot_height = plot_bottom - plot_top - 14
    slot = (width - left) / len(weeks)
    column = min(22.0, slot / 2 - 3)
    hatch = "url(#hatch-contacts)"
    body = [_HATCH.format(id="hatch-contacts")]
    body += _legend([(WHITE, _("Attempts")), (hatch, _("Reached"))], y=4, x=left)
    body.append(_line(left, plot_bottom, width, plot_bottom, stroke_width="0.8"))
    for index, (name, attempts, reached) in enumerate(weeks):
        centre = left + slot * index + slot / 2
        for offset, value, fill in ((-column - 1, attempts, WHITE), (1, reached, hatch)):
            if not value:  # a row of zeros under empty weeks is noise; the missing bar says it
                continue
            bar = plot_height * value / top
            x, y = centre + offset, plot_bottom - bar
            body.append(_rect(x, y, column, bar, fill=fill, stroke=INK, stroke_width="0.8"))
            body.append(_text(x + column / 2, y - 3, value, anchor="middle", font_size="9.5"))
        body.append(_text(centre, height - 6, name, anchor="middle", font_size="9.5"))
    return _svg(width, height, label, body)


def attendance_per_meeting(
    meetings: Sequence[tuple[str, int, int]], *, width: int = 640
) -> SafeString:
    """Per meeting: the invited as an outlined bar, those who came filled in, and the rate."""
    label = _("Attendance per meeting")
    if not meetings:
        return _empty(width, label)
    top = max([invited for _label, invited, _attended in meetings] + [1])
    label_width = _label_width([name for name, _invited, _attended in meetings], width)
    bar_height, gap, legend = 18, 8, 26
    space = width - label_width - 125
    body = _legend([(WHITE, _("Invited")), (DARK, _("Came"))], y=4, x=label_width)
    per_line, line_height = int((label_width - 12) / 6.3), 13
    y = legend
    for name, invited, attended in meetings:
        lines = len(textwrap.wrap(name, max(per_line, 8))) or 1
        whole = space * invited / top
        came = space * attended / top
        body.append(
            _wrapped_text(label_width - 8, y + 13, name, per_line=per_line, line_height=line_height)
        )
        body.append(
            _rect(label_width, y, whole, bar_height, fill=WHITE, stroke=INK, stroke_width="0.8")
        )
        if came:
            body.append(
                _rect(label_width, y, came, bar_height, fill=DARK, stroke=INK, stroke_width="0.8")
            )
        rate = f"{round(100 * attended / invited)} %" if invited else "–"
        text = _("%(attended)s of %(invited)s · %(rate)s") % {
            "attended": attended,
            "invited": invited,
            "rate": rate,
        }
        body.append(_text(label_width + whole + 6, y + 13, text, font_weight="bold"))
        y += max(bar_height, line_height * lines + 5) + gap
    return _svg(width, int(y), label, body)


# --- The waterbed ----------------------------------------------------------------------------


def waterbed_chart(row: "AreaRow", *, width: int = 360, height: int = 150) -> SafeString:
    """One destination area over the quarters, a small chart of a set (its legend is the page's,
    in HTML, shared by all): a solid bar per quarter for the particularly vulnerable households
    that have landed there so far, an outlined dashed bar on top of the last one for those on
    their way (flat chosen, not moved yet), the numbers above the bars, and a dashed line at
    the threshold. Nothing at all while no household has landed anywhere yet."""
    periods = row.periods
    if not periods:
        return SafeString("")
    left, right, top_margin, bottom = 10, 62, 14, 22
    waiting = row.on_the_way_vulnerable
    top = max([row.threshold + 1, *(p.vulnerable_so_far for p in periods)]) + waiting
    plot_w, plot_h = width - left - right, height - top_margin - bottom
    slot = plot_w / len(periods)
    bar = min(slot * 0.62, 30)

    def y(value: int) -> float:
        return top_margin + plot_h - plot_h * value / top

    body = []
    for index, period in enumerate(periods):
        x, count = left + index * slot + (slot - bar) / 2, period.vulnerable_so_far
        centre, last = x + bar / 2, index == len(periods) - 1
        body.append(_rect(x, y(count), bar, y(0) - y(count), fill=INK))
        if last and waiting:
            on_top = y(count + waiting)
            dashed = {"stroke": INK, "stroke_width": "1.2", "stroke_dasharray": "3 2"}
            body.append(_rect(x + 0.6, on_top, bar - 1.2, y(count) - on_top, fill=WHITE, **dashed))
        number = f"{count}+{waiting}" if last and waiting else count
        above = y(count + (waiting if last else 0)) - 3
        body.append(_text(centre, above, number, anchor="middle", font_size="11"))
        if len(periods) <= 8 or (len(periods) - 1 - index) % 2 == 0:  # every other one if many
            below = height - bottom + 14
            body.append(
                _text(centre, below, period.short_label, anchor="middle", fill=GREY, font_size="10")
            )
    body.append(_line(left, y(0), width - right, y(0), stroke_width="1"))
    threshold = y(row.threshold)
    body.append(
        _line(left, threshold, width - right, threshold, stroke_width="1.5", stroke_dasharray="6 4")
    )
    limit = _("limit %(limit)s") % {"limit": row.threshold}
    body.append(_text(width - right + 4, threshold + 4, limit, font_size="11"))
    label = _(
        "%(area)s: particularly vulnerable households rehoused so far per quarter, those on "
        "their way, and the threshold of %(limit)s"
    ) % {"area": row.area, "limit": row.threshold}
    return _svg(width, height, label, body, css_class="waterbed-chart", fluid=True)


# --- The rehousing budget ----------------------------------------------------------------------


def _kr(value) -> str:
    """An amount in whole kroner with the Danish thousands point: 12.500 kr."""
    return f"{round(value):,} kr.".replace(",", ".")


def budget_chart(
    rows: Sequence[tuple[str, float, float, float]], *, width: int = 640
) -> SafeString:
    """Per category of the budget: the budget as an outlined bar, the approved spend filled in
    and the committed spend hatched after it, with the spend against the budget as text.

    `rows`: (category, budget, approved, committed); categories with none of them are left out.
    """
    label = _("Budget, approved and committed spend per category")
    rows = [row for row in rows if any(row[1:])]
    if not rows:
        return _empty(width, label)
    top = max(max(budget, approved + committed) for _name, budget, approved, committed in rows)
    label_width = _label_width([name for name, *_values in rows], width)
    bar_height, gap, legend = 18, 8, 26
    space = width - label_width - 150
    hatch = "url(#hatch-budget)"
    body = [_HATCH.format(id="hatch-budget")]
    body += _legend(
        [(WHITE, _("Budget")), (DARK, _("Approved")), (hatch, _("Committed"))],
        y=4,
        x=label_width,
    )
    y = legend
    for name, budget, approved, committed in rows:
        body.append(_text(label_width - 8, y + 13, name, anchor="end"))
        if budget:
            whole = space * budget / top
            body.append(
                _rect(label_width, y, whole, bar_height, fill=WHITE, stroke=INK, stroke_width="0.8")
            )
        spent = space * max(approved, 0) / top
        if spent:
            inner = {"stroke": INK, "stroke_width": "0.8"}
            body.append(_rect(label_width, y + 4, spent, bar_height - 8, fill=DARK, **inner))
        if committed:
            more = space * committed / top
            body.append(
                _rect(
                    label_width + spent,
                    y + 4,
                    more,
                    bar_height - 8,
                    fill=hatch,
                    stroke=INK,
                    stroke_width="0.8",
                )
            )
        end = label_width + space * max(budget, approved + committed) / top
        text = _kr(approved + committed) + (f" / {_kr(budget)}" if budget else "")
        body.append(_text(end + 6, y + 13, text, font_weight="bold"))
        y += bar_height + gap
    return _svg(width, int(y), label, body)
