"""`{% once_key %}`: the one-time key of a form written by hand (core/once.py)."""

import uuid

from django import template
from django.utils.html import format_html

from core.once import FIELD_NAME

register = template.Library()


@register.simple_tag
def once_key() -> str:
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD_NAME, uuid.uuid4())
