"""Forms of sending letters: a new letter, a batch, registering sent and received."""

from datetime import date

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.once import OnceKeyField
from core.widgets import DateInput
from households.models import Stairwell
from outreach.letters.models import LetterTemplate, SentVia


def _choices(form: forms.Form, name: str, queryset: QuerySet) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset


class LetterNewForm(forms.Form):
    once_key = OnceKeyField()
    template: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Template"), queryset=LetterTemplate.objects.none(), empty_label=None
    )

    def __init__(self, *args, templates, **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self, "template", templates)


class LetterBatchForm(forms.Form):
    once_key = OnceKeyField()
    template: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Template"), queryset=LetterTemplate.objects.none(), empty_label=None
    )
    stairwell: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Stairwell"),
        queryset=Stairwell.objects.none(),
        required=False,
        empty_label=_("The whole project"),
    )

    def __init__(self, *args, templates, stairwells, **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self, "template", templates)
        _choices(self, "stairwell", stairwells)


class SentForm(forms.Form):
    sent_via = forms.ChoiceField(label=_("Sent via"), choices=SentVia.choices)
    sent_on = forms.DateField(label=_("Sent on"), widget=DateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("sent_on", timezone.localdate())

    def clean_sent_on(self) -> date:
        sent_on = self.cleaned_data["sent_on"]
        if sent_on > timezone.localdate():
            raise forms.ValidationError(_("Register the letter when it has been sent."))
        return sent_on


class ReceivedForm(forms.Form):
    received_on = forms.DateField(label=_("Received on"), widget=DateInput)
