from typing import cast

from django import forms
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.widgets import DateInput, ListSelect
from households.models import AccessAction, Resident
from households.templatetags.people import staff_name
from privacy.selectors import AccessLogFilters, AccessLogGrouping


class ErasureForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=120,
        help_text=_(
            "Why and on whose request, e.g. 'Request by letter of 3 March'. It stays in the access "
            "log after the erasure: write no name, phone number or e-mail."
        ),
    )
    confirm = forms.BooleanField(
        label=_("I understand that this cannot be undone"),
        error_messages={"required": _("Tick the box to confirm the erasure.")},
    )

    def __init__(self, *args, resident: Resident, **kwargs):
        super().__init__(*args, **kwargs)
        self.resident = resident

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        person = self.resident
        for word in (person.first_name, person.last_name, person.phone, person.email):
            if len(word.strip()) >= 2 and word.strip().lower() in reason.lower():
                raise ValidationError(
                    _("The reason stays after the erasure: leave out her name and contact data.")
                )
        return reason


class AccessLogFilterForm(forms.Form):
    user = forms.TypedChoiceField(
        label=_("User"), coerce=int, required=False, empty_value=None, widget=ListSelect
    )
    q = forms.CharField(
        label=_("Resident, household or address"),
        required=False,
        max_length=100,
        help_text=_("A name or an address, e.g. Egevej 12, 2. tv"),
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())
    action = forms.ChoiceField(label=_("Action"), required=False, widget=ListSelect)
    group = forms.ChoiceField(
        label=_("Layout"), required=False, choices=AccessLogGrouping.choices, widget=ListSelect
    )
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
