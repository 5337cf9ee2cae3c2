"""The form renderer's Python writers (core/renderers.py) write what Django's templates write."""

import datetime

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from core.renderers import WRITERS, FormRenderer
from core.widgets import DateInput, DateTimeInput, ListSelect, TimeInput


class EveryWidgetForm(forms.Form):
    text = forms.CharField(label="Name & <title>", max_length=20, help_text="Write <b>it</b>")
    optional = forms.CharField(label=gettext_lazy("Note"), required=False)
    no_label = forms.CharField(label="", required=False)
    number = forms.IntegerField(min_value=1, max_value=99)
    decimal = forms.DecimalField(max_digits=5, decimal_places=2, required=False)
    email = forms.EmailField(required=False, widget=forms.EmailInput(attrs={"class": 'a"b'}))
    url = forms.URLField(required=False, assume_scheme="https")
    password = forms.CharField(widget=forms.PasswordInput, required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    day = forms.DateField(widget=DateInput, required=False)
    moment = forms.DateTimeField(widget=DateTimeInput, required=False)
    time = forms.TimeField(widget=TimeInput, required=False)
    agree = forms.BooleanField(required=False)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    file = forms.FileField(required=False)
    receipt = forms.FileField(required=False, widget=forms.ClearableFileInput)
    choice = forms.ChoiceField(choices=[("a", "A"), ("b", "<B>")], widget=ListSelect)
    checks = forms.MultipleChoiceField(
        choices=[("x", "X & Y"), (1, "One")], widget=forms.CheckboxSelectMultiple, required=False
    )
    radio = forms.ChoiceField(choices=[("r", "R")], widget=forms.RadioSelect, required=False)


FORM_DATA = {
    "text": 'a "quoted" <value>',
    "number": "0",
    "decimal": "1.5",
    "email": "not an e-mail",
    "day": "2026-12-07",
    "moment": "2026-12-07T10:30",
    "agree": "on",
    "note": "line one\n<line two>",
    "choice": "b",
    "checks": ["x", "1"],
}


def _forms(renderer):
    initial = {"text": mark_safe("<i>safe</i>"), "day": datetime.date(2026, 1, 2), "number": 5}
    yield EveryWidgetForm(renderer=renderer)
    yield EveryWidgetForm(initial=initial, renderer=renderer)
    yield EveryWidgetForm(label_suffix="", renderer=renderer)
    yield EveryWidgetForm(auto_id=False, renderer=renderer)
    yield EveryWidgetForm(auto_id="field-%s", prefix="p", renderer=renderer)
    files = {"file": SimpleUploadedFile("a.txt", b"x")}
    bound = EveryWidgetForm(FORM_DATA, files, renderer=renderer)
    bound.is_valid()  # errors on some fields, none on others
    yield bound
    required = EveryWidgetForm(renderer=renderer)
    required.required_css_class = "required"
    yield required


def _render_both(render):
    """`render` of each form with the template renderer, then with ours."""
    return [
        [render(form) for form in _forms(renderer)]
        for renderer in (DjangoTemplates(), FormRenderer())
    ]


@pytest.mark.parametrize("name", list(EveryWidgetForm.base_fields))
def test_it_writes_a_field_group_as_the_templates_do(name):
    template_way, python_way = _render_both(lambda form: form[name].as_field_group())
    assert python_way == template_way


@pytest.mark.parametrize("name", list(EveryWidgetForm.base_fields))
def test_it_writes_a_widget_and_label_as_the_templates_do(name):
    def render(form):
        field = form[name]
        return [str(field), field.label_tag(), field.legend_tag(), str(field.errors)]

    template_way, python_way = _render_both(render)
    assert python_way == template_way


@pytest.mark.parametrize("name", ["checks", "radio"])
def test_it_writes_each_option_as_the_templates_do(name):
    def render(form):
        field = form[name]
        return [(choice.tag(), str(choice)) for choice in field]

    template_way, python_way = _render_both(render)
    assert python_way == template_way


def test_it_writes_a_whole_form_as_the_templates_do():
    template_way, python_way = _render_both(str)
    assert python_way == template_way


def test_it_knows_only_templates_that_exist():
    renderer = DjangoTemplates()
    for template_name in WRITERS:
        renderer.get_template(template_name)  # TemplateDoesNotExist if misspelt
