"""Forms of bridge-building (closing a plan, its bridge-builder) and of the communities."""

from typing import cast

from django import forms
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cases.forms import StaffChoiceField
from core.widgets import DateTimeInput
from households.models import Organisation


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


class CommunityMeetingForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("When"), widget=DateTimeInput)
    place = forms.CharField(label=_("Place"), max_length=200)
    topic = forms.CharField(label=_("Topic"), max_length=200, required=False)


class HouseholdChoiceForm(forms.Form):
    household = forms.IntegerField(min_value=1)


class CommunityAttendanceForm(forms.Form):
    household = forms.IntegerField(min_value=1)
    attended = forms.BooleanField(required=False)
