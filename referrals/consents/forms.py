"""Forms of consent: recording (or replacing) one, and withdrawing it."""

from typing import cast

from django import forms
from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.once import OnceKeyField
from core.widgets import DateInput
from households.models import Household
from households.templatetags.people import staff_name
from referrals.models import ConsentMethod, DataCategory, Partner, PartnerKind, Purpose

WHOLE_HOUSEHOLD = ""


def resident_choices(household: Household) -> list[tuple[str, str]]:
    return [(WHOLE_HOUSEHOLD, str(_("The whole household")))] + [
        (str(resident.pk), resident.full_name) for resident in household.residents.all()
    ]


class ConsentForm(forms.Form):
    once_key = OnceKeyField()
    resident = forms.ChoiceField(
        label=_("Given by (for)"),
        required=False,
        help_text=_("One resident, or the whole household where the law allows it."),
    )
    given_by = forms.CharField(
        label=_("Name of the person who gave it"),
        max_length=200,
        required=False,
        help_text=_("Leave empty when the resident chosen above gave it."),
    )
    recipient = forms.ChoiceField(label=_("Recipient"))
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices)
    categories = forms.MultipleChoiceField(
        label=_("Data that may be shared"),
        choices=DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose what may be shared.")},
    )
    method = forms.ChoiceField(
        label=_("Given how"),
        choices=ConsentMethod.choices,
        widget=forms.RadioSelect,
        initial=ConsentMethod.WRITTEN,
    )
    witness = forms.TypedChoiceField(
        label=_("Witness (for an oral consent)"), coerce=int, required=False, empty_value=None
    )
    given_on = forms.DateField(label=_("Given on"), widget=DateInput())
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=DateInput(),
        help_text=_("Empty: valid until it is withdrawn."),
    )
    evidence = forms.FileField(
        label=_("Evidence (scan of the signed consent)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def __init__(
        self,
        *args,
        household: Household,
        partners: QuerySet[Partner],
        witnesses: list[User],
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.household = household
        self.partners = {partner.pk: partner for partner in partners}
        self.witnesses = {user.pk: user for user in witnesses}
        self.residents = {resident.pk: resident for resident in household.residents.all()}
        cast(forms.ChoiceField, self.fields["resident"]).choices = resident_choices(household)
        cast(forms.ChoiceField, self.fields["recipient"]).choices = [
            ("", "—"),
            (
                _("One partner"),
                [(f"p:{pk}", partner.name) for pk, partner in self.partners.items()],
            ),
            (
                _("Every partner of a kind"),
                [(f"k:{value}", label) for value, label in PartnerKind.choices],
            ),
        ]
        cast(forms.ChoiceField, self.fields["witness"]).choices = [("", "—")] + [
            (pk, staff_name(user)) for pk, user in self.witnesses.items()
        ]
        max_mb = settings.EVIDENCE_MAX_BYTES // (1024 * 1024)
        self.fields["evidence"].help_text = _("PDF, JPEG or PNG, at most %(mb)s MB.") % {
            "mb": max_mb
        }
        if not self.is_bound:
            self.fields["given_on"].initial = timezone.localdate()

    def clean_resident(self):
        value = self.cleaned_data["resident"]
        if not value:
            return None
        return self.residents[int(value)]

    def clean_recipient(self):
        value = self.cleaned_data["recipient"]
        kind, _colon, key = value.partition(":")
        if kind == "p" and key.isdigit() and int(key) in self.partners:
            return self.partners[int(key)], ""
        if kind == "k" and key in PartnerKind.values:
            return None, key
        raise forms.ValidationError(_("Choose a recipient from the list."))

    def clean_witness(self):
        value = self.cleaned_data["witness"]
        return self.witnesses.get(value) if value is not None else None

    def clean(self):
        data = super().clean() or {}
        if not data.get("given_by") and "resident" in data and data["resident"] is None:
            self.add_error("given_by", _("Write who gave the consent for the household."))
        return data

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        partner, partner_kind = data["recipient"]
        resident = data["resident"]
        return {
            "resident": resident,
            "given_by": data["given_by"] or (resident.full_name if resident else ""),
            "partner": partner,
            "partner_kind": partner_kind,
            "purpose": data["purpose"],
            "categories": data["categories"],
            "method": data["method"],
            "witness": data["witness"],
            "given_on": data["given_on"],
            "expires_on": data["expires_on"],
            "evidence": data["evidence"] or None,
            "once_key": data["once_key"],
        }

    # The service names its errors after the model; the form after its fields.
    SERVICE_FIELDS = {"partner": "recipient", "replaces": None}

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        for name, messages in errors.items():
            field = self.SERVICE_FIELDS.get(name, name)
            if field not in self.fields:
                field = None
            for message in messages:
                self.add_error(field, message)


class ConsentWithdrawForm(forms.Form):
    note = forms.CharField(
        label=_("Note (optional)"),
        max_length=300,
        required=False,
        help_text=_("For example how and to whom the resident withdrew it."),
    )
