"""Forms of the municipal visitator's pages: the flat filters and her answer to a referral."""

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from referrals.models import ReferralStatus
from referrals.visitator.selectors import FlatFilters


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
