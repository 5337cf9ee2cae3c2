"""The waterbed chart: one small server-side SVG per destination area (no JavaScript), readable
in black and white: a solid bar per quarter for the particularly vulnerable households that have
landed there so far, an outlined bar on top of the last one for those on their way (flat chosen,
not moved yet), the numbers above the bars, and a dashed line at the threshold."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from cases.logistics.waterbed import AreaRow

register = template.Library()

WIDTH, HEIGHT = 360, 150
LEFT, RIGHT, TOP, BOTTOM = 10, 62, 14, 22
INK, GREY = "#1f2933", "#37404c"


def _n(value: float) -> str:
    return f"{value:.1f}"


@register.simple_tag
def waterbed_chart(row: AreaRow) -> SafeString:
    periods = row.periods
    if not periods:
        return SafeString("")
    waiting = row.on_the_way_vulnerable
    top = max([row.threshold + 1, *(p.vulnerable_so_far for p in periods)]) + waiting
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / len(periods)
    bar = min(slot * 0.62, 30)

    def y(value: int) -> float:
        return TOP + plot_h - plot_h * value / top

    shapes = []
    for index, period in enumerate(periods):
        x = LEFT + index * slot + (slot - bar) / 2
        count = period.vulnerable_so_far
        shapes.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
                _n(x),
                _n(y(count)),
                _n(bar),
                _n(y(0) - y(count)),
                INK,
            )
        )
        last = index == len(periods) - 1
        if last and waiting:
            shapes.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="#fff" '
                    'stroke="{}" stroke-width="1.2" stroke-dasharray="3 2"/>',
                    _n(x + 0.6),
                    _n(y(count + waiting)),
                    _n(bar - 1.2),
                    _n(y(count) - y(count + waiting)),
                    INK,
                )
            )
        label = f"{count}+{waiting}" if last and waiting else str(count)
        shapes.append(
            format_html(
                '<text x="{}" y="{}" font-size="11" text-anchor="middle" fill="{}">{}</text>',
                _n(x + bar / 2),
                _n(y(count + (waiting if last else 0)) - 3),
                INK,
                label,
            )
        )
        if len(periods) <= 8 or (len(periods) - 1 - index) % 2 == 0:
            shapes.append(
                format_html(
                    '<text x="{}" y="{}" font-size="10" text-anchor="middle" fill="{}">{}</text>',
                    _n(x + bar / 2),
                    HEIGHT - BOTTOM + 14,
                    GREY,
                    period.short_label,
                )
            )
    title = _(
        "%(area)s: particularly vulnerable households rehoused so far per quarter, those on "
        "their way, and the threshold of %(limit)s"
    ) % {"area": row.area, "limit": row.threshold}
    return format_html(
        '<svg class="waterbed-chart" viewBox="0 0 {w} {h}" role="img" aria-label="{title}" '
        'xmlns="http://www.w3.org/2000/svg"><title>{title}</title>{shapes}'
        '<line x1="{left}" y1="{base}" x2="{right}" y2="{base}" stroke="{ink}" stroke-width="1"/>'
        '<line x1="{left}" y1="{ly}" x2="{right}" y2="{ly}" stroke="{ink}" stroke-width="1.5" '
        'stroke-dasharray="6 4"/>'
        '<text x="{lx}" y="{lty}" font-size="11" fill="{ink}">{limit}</text></svg>',
        w=WIDTH,
        h=HEIGHT,
        title=title,
        shapes=format_html_join("", "{}", ((shape,) for shape in shapes)),
        left=LEFT,
        right=WIDTH - RIGHT,
        base=f"{y(0):.1f}",
        ink=INK,
        ly=f"{y(row.threshold):.1f}",
        lx=WIDTH - RIGHT + 4,
        lty=f"{y(row.threshold) + 4:.1f}",
        limit=_("limit %(limit)s") % {"limit": row.threshold},
    )
