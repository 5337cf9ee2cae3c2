"""Forms of the letter templates' pages.

Forms of sending letters: a new letter, a batch, registering sent and received.
"""

from datetime import date

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.deadlines import LetterKind
from core.once import OnceKeyField
from core.widgets import DateInput
from households.models import Organisation, Stairwell
from outreach.letters.models import LetterTemplate, LetterTemplateVersion, SentVia


class TemplateCreateForm(forms.Form):
    once_key = OnceKeyField()
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none()
    )
    kind = forms.ChoiceField(label=_("Kind of letter"), choices=LetterKind.choices)
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        help_text=_("For example “Varsling, opgange med elevator”."),
    )
    from_standard = forms.BooleanField(
        label=_("Start from the standard text"),
        required=False,
        initial=True,
        help_text=_("A Danish text (and an English and Arabic one where there is one) to adjust."),
    )

    def __init__(self, *args, organisations: QuerySet[Organisation], **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organisations
        if len(organisations) == 1:
            field.initial = organisations[0].pk
            field.widget = forms.HiddenInput()


class TemplateForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = LetterTemplate
        fields = ["name", "active"]


class VersionForm(forms.Form):
    """One language's text; `based_on` is the version the editor opened (empty for none)."""

    based_on = forms.IntegerField(widget=forms.HiddenInput, required=False)
    subject = forms.CharField(
        label=_("Subject"),
        max_length=LetterTemplateVersion._meta.get_field("subject").max_length,
    )
    body = forms.CharField(
        label=_("Text"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "true"}),
        strip=False,
    )
    household = forms.IntegerField(required=False, widget=forms.HiddenInput)


class StaffContactForm(forms.Form):
    phone = forms.RegexField(
        label=_("Your phone number in letters"),
        max_length=20,
        required=False,
        regex=r"^\+?[0-9 ]{8,19}$",
        error_messages={"invalid": _("Write the number with digits and spaces, e.g. 36 98 70 12.")},
        help_text=_("Letters you write print it where the text has {{ sagsbehandler_telefon }}."),
    )


# --- sending letters: a new letter, a batch, registering sent and received ---


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
