"""Forms of the referrals app. They check the shape of the input; the services enforce the rules."""

from typing import cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cases.models import Case
from core.once import OnceKeyField
from core.widgets import DateInput
from households.models import Household, Municipality, Organisation
from referrals.consents.forms import resident_choices
from referrals.models import (
    ChecklistStatus,
    DataCategory,
    Partner,
    PartnerKind,
    Purpose,
    ReferralStatus,
)
from referrals.services import PARTNER_EDITABLE_FIELDS


class ReferralForm(forms.Form):
    once_key = OnceKeyField()
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Partner.objects.none())
    resident = forms.ChoiceField(label=_("About"), required=False)
    case = forms.ModelChoiceField(label=_("Case"), queryset=Case.objects.none(), required=False)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices)
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text=_("Why the household is referred, and what help is asked for."),
    )
    shared = forms.MultipleChoiceField(
        label=_("Data shared with the partner"),
        choices=DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Nothing ticked: nothing that identifies a person is shared."),
    )
    follow_up_on = forms.DateField(label=_("Follow up on"), required=False, widget=DateInput())

    def __init__(
        self,
        *args,
        household: Household,
        partners: QuerySet[Partner],
        cases: QuerySet[Case],
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.residents = {resident.pk: resident for resident in household.residents.all()}
        cast(forms.ModelChoiceField, self.fields["partner"]).queryset = partners
        cast(forms.ModelChoiceField, self.fields["case"]).queryset = cases
        cast(forms.ChoiceField, self.fields["resident"]).choices = resident_choices(household)

    def clean_resident(self):
        value = self.cleaned_data["resident"]
        return self.residents[int(value)] if value else None


class ReferralTransitionForm(forms.Form):
    to_status = forms.ChoiceField(choices=ReferralStatus.choices)
    expected_status = forms.ChoiceField(choices=ReferralStatus.choices)
    note = forms.CharField(max_length=500, required=False)
    outcome = forms.CharField(max_length=4000, required=False)


class PartnerForm(forms.ModelForm):
    fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Partner
        fields = ["organisation", *PARTNER_EDITABLE_FIELDS]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, organisations: QuerySet[Organisation], **kwargs):
        super().__init__(*args, **kwargs)
        organisation = cast(forms.ModelChoiceField, self.fields["organisation"])
        organisation.queryset = organisations
        if len(organisations) == 1:
            organisation.initial = organisations[0].pk
            organisation.widget = forms.HiddenInput()
        cast(
            forms.ModelChoiceField, self.fields["municipality"]
        ).queryset = Municipality.objects.order_by("name")

    def clean(self):
        data = super().clean() or {}
        if data.get("kind") == PartnerKind.MUNICIPAL_VISITATOR and not data.get("municipality"):
            self.add_error("municipality", _("A municipal visitator serves one municipality."))
        return data


class ChecklistItemForm(forms.Form):
    status = forms.ChoiceField(choices=ChecklistStatus.choices)
    expected_status = forms.ChoiceField(choices=ChecklistStatus.choices)
    helped_by = forms.CharField(max_length=200, required=False)
