"""The form renderer (settings.FORM_RENDERER): Django's, with its commonest small templates
written in Python, byte for byte as the templates write them.

A field group of a form (field.html, with its label.html, its widget's template and attrs.html,
its errors' ul.html) costs ~1,000 Python calls through the template engine; the contact form of
the household page alone renders twelve of them and a dozen checkbox options. Anything these
writers do not know exactly (a fieldset, a field with errors, an unusual value) goes the
template way, unchanged. tests/core/test_renderers.py holds each writer to its template.
"""

from collections.abc import Callable
from decimal import Decimal

from django.forms.renderers import DjangoTemplates
from django.utils.functional import Promise
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData

_PLAIN = (str, int, float, Decimal, Promise)


class _Fallback(Exception):
    """A context the writer does not know exactly: the template renders it."""


def _text(value) -> str:
    """{{ value }} of a string (autoescaped)."""
    if not isinstance(value, str | Promise):
        raise _Fallback
    return conditional_escape(str(value))  # str() first, as the template does


def _string_format(value) -> str:
    """{{ value|stringformat:'s' }} (autoescaped unless the value is safe)."""
    if isinstance(value, bool) or not isinstance(value, _PLAIN):
        raise _Fallback
    text = "%s" % value  # noqa: UP031 - the filter's own formatting
    return text if isinstance(value, SafeData) else escape(text)


def _attrs(attrs) -> str:
    """django/forms/attrs.html and django/forms/widgets/attrs.html."""
    if attrs is None:
        return ""
    if not isinstance(attrs, dict) or "items" in attrs:
        raise _Fallback
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {_text(name)}")
        else:
            parts.append(f' {_text(name)}="{_string_format(value)}"')
    return "".join(parts)


def _input(widget: dict) -> str:
    """django/forms/widgets/input.html (and each template that only includes it)."""
    value = widget["value"]
    value_attr = "" if value is None else f' value="{_string_format(value)}"'
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value_attr}'
        f"{_attrs(widget['attrs'])}>\n"
    )


def _input_widget(context: dict) -> str:
    return _input(context["widget"])


def _input_option(context: dict) -> str:
    """django/forms/widgets/input_option.html: a checkbox or radio option."""
    widget = context["widget"]
    if not widget.get("wrap_label"):
        return _input(widget) + "\n"
    attrs = widget["attrs"] or {}
    target = f' for="{_text(attrs["id"])}"' if attrs.get("id") else ""
    return f"<label{target}>{_input(widget)} {_text(widget['label'])}</label>\n\n"


def _textarea(context: dict) -> str:
    widget = context["widget"]
    value = widget["value"]
    text = _text(value) if value else ""
    return (
        f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{text}</textarea>\n'
    )


def _clearable_file_input(context: dict) -> str:
    widget = context["widget"]
    if widget["is_initial"]:
        raise _Fallback
    return (
        f'\n<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"'
        f"{_attrs(widget['attrs'])}>\n"
    )


def _label(context: dict) -> str:
    """django/forms/label.html: a field's <label> (or <legend>)."""
    label = _text(context["label"])
    if not context["use_tag"]:
        return label + "\n"
    tag = _text(context["tag"])
    return f"<{tag}{_attrs(context['attrs'])}>{label}</{tag}>\n"


def _errors(context: dict) -> str:
    """django/forms/errors/list/default.html, for no errors (the writer's only case)."""
    if context["errors"]:
        raise _Fallback
    return ""


def _field(context: dict) -> str:
    """django/forms/field.html: label, help text, errors and widget of a field."""
    field = context["field"]
    if field.use_fieldset:
        raise _Fallback
    label = field.label_tag() if field.label else ""
    help_text = ""
    if field.help_text:
        auto_id = field.auto_id
        target = f' id="{_text(auto_id)}_helptext"' if auto_id else ""
        help_text = f'<div class="helptext"{target}>{field.help_text}</div>'
    errors = field.errors
    rendered_errors = str(errors) if errors else ""
    return f"\n  {label}\n\n{help_text}\n{rendered_errors}\n{field}\n"


WRITERS: dict[str, Callable[[dict], str]] = {
    "django/forms/field.html": _field,
    "django/forms/label.html": _label,
    "django/forms/errors/list/default.html": _errors,
    "django/forms/widgets/input.html": _input_widget,
    **{
        f"django/forms/widgets/{name}.html": _input_widget
        for name in (
            "text",
            "number",
            "email",
            "url",
            "color",
            "search",
            "tel",
            "password",
            "hidden",
            "file",
            "date",
            "datetime",
            "time",
            "checkbox",
        )
    },
    "django/forms/widgets/textarea.html": _textarea,
    "django/forms/widgets/clearable_file_input.html": _clearable_file_input,
    "django/forms/widgets/input_option.html": _input_option,
    "django/forms/widgets/checkbox_option.html": _input_option,
    "django/forms/widgets/radio_option.html": _input_option,
}


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None) -> str:
        writer = WRITERS.get(template_name)
        if writer is not None:
            try:
                return writer(context).strip()  # as Django's: the caller marks it safe
            except _Fallback:
                pass
        return super().render(template_name, context, request=request)
