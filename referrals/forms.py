"""Forms of the referrals app. They check the shape of the input; the services enforce the rules."""

from typing import cast

from django import forms
from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.forms import DateInput, StaffChoiceField
from cases.models import Case
from households.models import AccessAction, Household, Municipality, Organisation
from households.templatetags.people import staff_name
from referrals.models import (
    ChecklistStatus,
    ConsentMethod,
    DataCategory,
    Partner,
    PartnerKind,
    Purpose,
    ReferralStatus,
)
from referrals.selectors import AccessLogFilters, AccessLogGrouping, FlatFilters

# --- consents, partners, referrals, checklist (helper: consent) --------------------------------

WHOLE_HOUSEHOLD = ""


def resident_choices(household: Household) -> list[tuple[str, str]]:
    return [(WHOLE_HOUSEHOLD, str(_("The whole household")))] + [
        (str(resident.pk), resident.full_name) for resident in household.residents.all()
    ]


class ConsentForm(forms.Form):
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


class ReferralForm(forms.Form):
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
        fields = [
            "organisation",
            "name",
            "kind",
            "municipality",
            "area",
            "contact_name",
            "phone",
            "email",
            "note",
            "active",
        ]
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


# --- visitator: the municipal visitator's pages and the access log (helper: visitator) ---------


class FlatFilterForm(forms.Form):
    """Filters of the visitator's flat list; choices from the schedules of her municipality."""

    project = forms.TypedChoiceField(
        label=_("Project"), coerce=int, required=False, empty_value=None
    )
    estate = forms.TypedChoiceField(label=_("Estate"), coerce=int, required=False, empty_value=None)
    stairwell = forms.TypedChoiceField(
        label=_("Stairwell"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, schedules, **kwargs):
        super().__init__(*args, **kwargs)
        everything: list[tuple[object, object]] = [("", _("All"))]
        projects = {s.project_id: s.project.name for s in schedules}
        estates = {s.project.estate_id: s.project.estate.name for s in schedules}
        stairwells = {s.stairwell_id: str(s.stairwell) for s in schedules}
        for name, found in (("project", projects), ("estate", estates), ("stairwell", stairwells)):
            ordered = sorted(found.items(), key=lambda item: item[1])
            cast(forms.ChoiceField, self.fields[name]).choices = everything + ordered

    def filters(self):
        self.is_valid()  # what is not valid falls back to "all"
        data = self.cleaned_data
        return FlatFilters(
            project=data.get("project"), estate=data.get("estate"), stairwell=data.get("stairwell")
        )


class ReferralAnswerForm(forms.Form):
    """The visitator's answer to a referral: the status she sets, and a note."""

    to_status = forms.ChoiceField(label=_("New status"))
    expected_status = forms.ChoiceField(choices=ReferralStatus.choices, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown to the team. When done: the outcome."),
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["to_status"]).choices = choices


class AccessLogFilterForm(forms.Form):
    user = forms.TypedChoiceField(label=_("User"), coerce=int, required=False, empty_value=None)
    q = forms.CharField(
        label=_("Resident, household or address"),
        required=False,
        max_length=100,
        help_text=_("A name or an address, e.g. Egevej 12, 2. tv"),
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())
    action = forms.ChoiceField(label=_("Action"), required=False)
    group = forms.ChoiceField(label=_("Layout"), required=False, choices=AccessLogGrouping.choices)
    # From a household's page: "who has seen this household"; not a field one types in.
    household = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, staff: QuerySet[User], **kwargs):
        super().__init__(*args, **kwargs)
        everyone: list[tuple[object, object]] = [("", _("Everyone"))]
        cast(forms.ChoiceField, self.fields["user"]).choices = everyone + [
            (user.pk, staff_name(user)) for user in staff
        ]
        every_action: list[tuple[object, object]] = [("", _("All actions"))]
        cast(forms.ChoiceField, self.fields["action"]).choices = every_action + list(
            AccessAction.choices
        )

    def clean(self):
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def filters(self):
        valid = self.is_valid()
        data = self.cleaned_data
        return AccessLogFilters(
            user=data.get("user"),
            household=data.get("household"),
            q=data.get("q", ""),
            action=data.get("action", ""),
            date_from=data.get("date_from") if valid else None,
            date_to=data.get("date_to") if valid else None,
            group=data.get("group", ""),
        )


# --- bridge-building and communities (helper: bridge) -------------------------------------------


class FollowUpCloseForm(forms.Form):
    closing_note = forms.CharField(
        label=_("How has the household settled?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write how the household has settled.")},
    )


class BridgeBuilderForm(forms.Form):
    bridge_builder = StaffChoiceField(
        label=_("Bridge-builder"),
        queryset=User.objects.none(),
        error_messages={"required": _("Choose a bridge-builder from the list.")},
    )
    expected = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, choices: QuerySet[User], current: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        cast(StaffChoiceField, self.fields["bridge_builder"]).queryset = choices
        if not self.is_bound:
            self.initial["expected"] = current.pk if current else None
            self.initial["bridge_builder"] = current.pk if current else None


class CommunityForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Housing organisation"), queryset=Organisation.objects.none()
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    area = forms.CharField(
        label=_("Area"),
        max_length=100,
        required=False,
        help_text=_("Where the members live now, e.g. the new neighbourhood."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, organisations: QuerySet[Organisation], **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["organisation"])
        field.queryset = organisations
        if len(organisations) == 1:
            field.initial = organisations[0].pk
            field.widget = forms.HiddenInput()


class _DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class CommunityMeetingForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("When"), widget=_DateTimeInput)
    place = forms.CharField(label=_("Place"), max_length=200)
    topic = forms.CharField(label=_("Topic"), max_length=200, required=False)


class HouseholdChoiceForm(forms.Form):
    household = forms.IntegerField(min_value=1)


class CommunityAttendanceForm(forms.Form):
    household = forms.IntegerField(min_value=1)
    attended = forms.BooleanField(required=False)
