from django import forms
from django.utils.translation import gettext_lazy as _

from cases.reports.models import ReportKind


class ReportOrderForm(forms.Form):
    """The print buttons: which report, of what, and whether with names."""

    kind = forms.ChoiceField(choices=ReportKind.choices)
    target = forms.IntegerField(min_value=1)
    named = forms.BooleanField(required=False, label=_("With names (confidential)"))


class CaseSummaryForm(forms.Form):
    own_copy = forms.BooleanField(required=False, label=_("The household's own copy"))
