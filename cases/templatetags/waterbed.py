"""`{% waterbed_chart row %}`: the waterbed chart of one destination area, drawn in cases.charts
with the app's other charts."""

from django import template
from django.utils.safestring import SafeString

from cases import charts
from cases.logistics.waterbed import AreaRow

register = template.Library()


@register.simple_tag
def waterbed_chart(row: AreaRow) -> SafeString:
    return charts.waterbed_chart(row)
