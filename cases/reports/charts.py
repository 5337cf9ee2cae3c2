"""Charts as SVG markup, drawn on the server: the same picture in the PDF and on the page.

Readable in black and white: every bar carries its number, series differ by fill (dark grey,
white with a black outline, hatching), never by colour alone. No JavaScript, no library.
"""

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

INK = "#1f2933"
DARK = "#4a5563"
LIGHT = "#c9cfd8"
FONT = 'font-family="DejaVu Sans, Liberation Sans, sans-serif"'

# Hatching for the second series: shows up on any printer, and in a photocopy of a printout.
_HATCH = (
    '<defs><pattern id="{id}" width="5" height="5" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)"><rect width="5" height="5" fill="#ffffff"/>'
    f'<line x1="0" y1="0" x2="0" y2="5" stroke="{INK}" stroke-width="2"/></pattern></defs>'
)


def _svg(width: int, height: int, label: str, body: list[str]) -> SafeString:
    title = escape(label)
    return mark_safe(  # noqa: S308  # every text in `body` is escaped where it is made
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{title}" class="chart" '
        f'{FONT} font-size="11"><title>{title}</title>{"".join(body)}</svg>'
    )


def _text(x: float, y: float, text: object, *, anchor: str = "start", **attrs) -> str:
    extra = "".join(f' {name.replace("_", "-")}="{value}"' for name, value in attrs.items())
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{INK}"{extra}>'
        f"{escape(str(text))}</text>"
    )


def _label_width(names: Sequence[str], width: int) -> int:
    """Room for the longest label (about 6.3 units a character at font size 11), within reason."""
    longest = max((len(name) for name in names), default=0)
    return min(int(width * 0.42), int(longest * 6.3) + 12)


def _empty(width: int, label: str) -> SafeString:
    return _svg(width, 40, label, [_text(0, 24, _("Nothing to show yet."), fill_opacity="0.7")])


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
        body.append(
            f'<rect x="{x:.1f}" y="{y}" width="{bar:.1f}" height="{bar_height}" '
            f'fill="{shade}" stroke="{INK}" stroke-width="0.6"/>'
        )
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
    body = [_HATCH.format(id="hatch-contacts")]
    body += _legend(
        [("#ffffff", _("Attempts")), ("url(#hatch-contacts)", _("Reached"))], y=4, x=left
    )
    body.append(
        f'<line x1="{left}" y1="{plot_bottom}" x2="{width}" y2="{plot_bottom}" '
        f'stroke="{INK}" stroke-width="0.8"/>'
    )
    for index, (name, attempts, reached) in enumerate(weeks):
        centre = left + slot * index + slot / 2
        for offset, value, fill in ((-column - 1, attempts, "#ffffff"), (1, reached, None)):
            bar = plot_height * value / top
            x, y = centre + offset, plot_bottom - bar
            paint = fill or "url(#hatch-contacts)"
            if value:
                body.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{column:.1f}" height="{bar:.1f}" '
                    f'fill="{paint}" stroke="{INK}" stroke-width="0.8"/>'
                )
            if value:  # a row of zeros under empty weeks is noise; the missing bar says it
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
    body = _legend([("#ffffff", _("Invited")), (DARK, _("Came"))], y=4, x=label_width)
    for index, (name, invited, attended) in enumerate(meetings):
        y = legend + index * (bar_height + gap)
        whole = space * invited / top
        came = space * attended / top
        body.append(_text(label_width - 8, y + 13, name, anchor="end"))
        body.append(
            f'<rect x="{label_width}" y="{y}" width="{whole:.1f}" height="{bar_height}" '
            f'fill="#ffffff" stroke="{INK}" stroke-width="0.8"/>'
        )
        if came:
            body.append(
                f'<rect x="{label_width}" y="{y}" width="{came:.1f}" height="{bar_height}" '
                f'fill="{DARK}" stroke="{INK}" stroke-width="0.8"/>'
            )
        rate = f"{round(100 * attended / invited)} %" if invited else "–"
        text = _("%(attended)s of %(invited)s · %(rate)s") % {
            "attended": attended,
            "invited": invited,
            "rate": rate,
        }
        body.append(_text(label_width + whole + 6, y + 13, text, font_weight="bold"))
    return _svg(width, legend + len(meetings) * (bar_height + gap), label, body)


def _legend(entries: list[tuple[str, str]], *, x: float, y: float) -> list[str]:
    parts = []
    for fill, name in entries:
        parts.append(
            f'<rect x="{x:.1f}" y="{y}" width="12" height="12" fill="{fill}" '
            f'stroke="{INK}" stroke-width="0.8"/>'
        )
        parts.append(_text(x + 17, y + 10, name))
        x += 30 + 7 * len(name)
    return parts
