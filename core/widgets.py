"""The browser's own date and time pickers, with values in the formats they expect; a select
of a long list written without a template per option."""

from typing import Any

from django import forms
from django.utils.html import conditional_escape, escape, format_html, format_html_join
from django.utils.safestring import SafeString


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


class ListSelect(forms.Select):
    """forms.Select, the same HTML, with the options written here instead of by two templates
    each (select_option.html and attrs.html: ~60 µs an option; a list's filter of its
    organisation's staff has sixty), and without the option dictionaries forms.Select builds
    for those templates (optgroups). Groups of options go the template way."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        choices: list[tuple[Any, Any]] = list(self.choices)
        if any(isinstance(label, (list, tuple)) for _value, label in choices):
            return super().render(name, value, attrs, renderer)
        values = self.format_value(value)
        widget_attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            widget_attrs["multiple"] = True
        options = []
        has_selected = False
        for option_value, label in choices:
            option_value = "" if option_value is None else str(option_value)
            # as forms.Select.optgroups: only the first match is selected, unless multiple
            selected = (not has_selected or self.allow_multiple_selected) and option_value in values
            has_selected |= selected
            options.append(
                f'\n  <option value="{escape(option_value)}"{" selected" if selected else ""}>'
                f"{conditional_escape(label)}</option>\n"
            )
        return format_html(
            '<select name="{}"{}>{}\n</select>',
            name,
            _attributes(widget_attrs),
            SafeString("".join(options)),
        )


def _attributes(attrs: dict) -> SafeString:
    """As django/forms/widgets/attrs.html writes them: in their order, True as a bare name."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False
        ),
    )
