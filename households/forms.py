from django import forms
from django.utils.translation import gettext_lazy as _

from core.widgets import DateInput
from households.models import Household, Resident, VulnerabilityFactor, VulnerabilityLevel
from households.services import HOUSEHOLD_EDITABLE_FIELDS, RESIDENT_EDITABLE_FIELDS


class VersionedModelForm(forms.ModelForm):
    """A model form that carries the version it was read at, for optimistic locking."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.instance.pk:
            self.initial["version"] = self.instance.version


SOCIAL_NOTE_MAX_LENGTH = 10_000


class HouseholdForm(VersionedModelForm):
    # A TextField has no length of its own: the form sets one, with Django's Danish message.
    social_note = forms.CharField(
        label=Household._meta.get_field("social_note").verbose_name,
        help_text=Household._meta.get_field("social_note").help_text,
        required=False,
        max_length=SOCIAL_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    class Meta:
        model = Household
        fields = list(HOUSEHOLD_EDITABLE_FIELDS)
        widgets = {
            "moved_in_on": DateInput,
            "go_between_phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "social_note": forms.Textarea(attrs={"rows": 5}),
        }


class ResidentForm(VersionedModelForm):
    class Meta:
        model = Resident
        fields = list(RESIDENT_EDITABLE_FIELDS)
        widgets = {
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "birth_year": forms.NumberInput(
                attrs={"inputmode": "numeric", "min": 1900, "max": 2100}
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["version"].required = False
            self.initial["version"] = 0

    def clean_birth_year(self):
        year = self.cleaned_data.get("birth_year")
        if year is not None and not 1900 <= year <= 2100:
            raise forms.ValidationError(_("Write the year with four digits, for example 1948."))
        return year


class VulnerabilityForm(forms.Form):
    level = forms.ChoiceField(
        label=_("Level"), choices=VulnerabilityLevel.choices, widget=forms.RadioSelect
    )
    factors = forms.MultipleChoiceField(
        label=_("Factors"),
        choices=VulnerabilityFactor.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000
    )

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        if cleaned.get("level") not in (None, VulnerabilityLevel.NONE) and not cleaned.get(
            "factors"
        ):
            self.add_error("factors", _("Choose at least one factor for a vulnerable household."))
        return cleaned
