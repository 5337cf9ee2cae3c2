from typing import cast

from django import forms
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.logistics.waterbed import case_waterbed
from cases.models import Case
from cases.selectors import CaseloadFilters, caseload_flag_choices, destination_flats
from cases.services import CASE_EDITABLE_FIELDS
from cases.stages import FINAL, MOVED, EndReason, Stage, allowed_next_stages
from core.widgets import DateInput, ListSelect
from households.models import Flat, VulnerabilityLevel
from households.pickers import FlatPickField, flat_picker, short_list
from households.templatetags.people import staff_name


class CaseloadFilterForm(forms.Form):
    scope = forms.ChoiceField(
        label=_("Show"),
        choices=[("mine", _("My cases")), ("all", _("All I can see"))],
        required=False,
        widget=forms.RadioSelect,
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    estate = forms.TypedChoiceField(
        label=_("Estate"), coerce=int, required=False, empty_value=None, widget=ListSelect
    )
    project = forms.TypedChoiceField(
        label=_("Project"), coerce=int, required=False, empty_value=None, widget=ListSelect
    )
    stage = forms.ChoiceField(label=_("Stage"), required=False, widget=ListSelect)
    vulnerability = forms.ChoiceField(
        label=_("Vulnerability"),
        choices=[("", _("All")), *VulnerabilityLevel.choices],
        required=False,
        widget=ListSelect,
    )
    staff = forms.TypedChoiceField(
        label=_("Staff"), coerce=int, required=False, empty_value=None, widget=ListSelect
    )
    flag = forms.ChoiceField(label=_("Has flag"), required=False, widget=ListSelect)

    def __init__(self, *args, options: dict, **kwargs):
        super().__init__(*args, **kwargs)
        everyone: list[tuple[object, object]] = [("", _("All"))]
        choices = {
            "estate": everyone + options["estates"],
            "project": everyone + options["projects"],
            "staff": everyone + options["staff"],
            "stage": [("open", _("Open cases")), ("all", _("All cases")), *Stage.choices],
            "flag": [("", _("All")), ("any", _("Any open flag")), *caseload_flag_choices()],
        }
        for name, field_choices in choices.items():
            cast(forms.ChoiceField, self.fields[name]).choices = field_choices

    def filters(self, *, default_scope: str) -> CaseloadFilters:
        """The chosen filters; anything invalid falls back to its default."""
        self.is_valid()  # cleaned_data then holds just the fields that were valid
        data = self.cleaned_data
        return CaseloadFilters(
            scope=data.get("scope") or default_scope,
            q=data.get("q", ""),
            estate=data.get("estate"),
            project=data.get("project"),
            stage=data.get("stage") or "open",
            vulnerability=data.get("vulnerability", ""),
            staff=data.get("staff"),
            flag=data.get("flag", ""),
        )


class FlatChoiceField(FlatPickField):
    # Areas at the waterbed threshold, marked in the labels (permanent destinations only).
    full_areas: frozenset[str] = frozenset()

    def label_from_instance(self, obj: Flat) -> str:
        label = f"{obj.address} ({obj.stairwell.estate.name})"
        if obj.stairwell.estate.area in self.full_areas:
            label += " – " + _("waterbed: %(area)s has reached the threshold") % {
                "area": obj.stairwell.estate.area
            }
        return label


FLAT_FIELDS = ("temporary_flat", "permanent_flat")


class CaseForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Case
        fields = list(CASE_EDITABLE_FIELDS)
        widgets = {"next_step_on": DateInput, "move_out_on": DateInput, "return_on": DateInput}
        field_classes = {"temporary_flat": FlatChoiceField, "permanent_flat": FlatChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        case = self.instance
        self.flats = flats = destination_flats(case=case, today=timezone.localdate())
        for name in FLAT_FIELDS:
            field = cast(FlatChoiceField, self.fields[name])
            field.queryset = flats
            field.empty_label = _("Not decided")
        permanent = cast(FlatChoiceField, self.fields["permanent_flat"])
        # The case's waterbed (without the case itself), for the labels and the page's warning.
        self.waterbed = case_waterbed(case=case)
        permanent.full_areas = frozenset(self.waterbed.full_areas)
        if case.stage in MOVED:
            permanent.required = True
            permanent.error_messages["required"] = _(
                "The household has moved permanently: choose its new home."
            )
        if not self.is_bound:
            self.initial["version"] = case.version

    def flat_pickers(self, *, felt: str = "", q: str = "") -> dict[str, dict]:
        """The two flat pickers (households/pickers.py); `q` searches the one named `felt`. Both
        choose among the same flats: their short list is read once."""
        short = short_list(self.flats)
        return {
            name: flat_picker(
                self[name], q=q if felt == name else "", none_label=_("Not decided"), short=short
            )
            for name in FLAT_FIELDS
        }


class StageForm(forms.Form):
    # Any stage is accepted here; whether the case may move there now is the service's rule
    # (it also notices when someone else moved the case first).
    to_stage = forms.ChoiceField(label=_("New stage"), choices=Stage.choices)
    expected_stage = forms.CharField(widget=forms.HiddenInput)
    end_reason = forms.ChoiceField(
        label=_("Reason"), choices=[("", "—"), *EndReason.choices], required=False
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.next_stages = [Stage(s) for s in allowed_next_stages(case.stage)]
        # A move to a final stage other than the early end (its own form) asks first.
        self.has_final_move = any(s in FINAL and s != Stage.ENDED for s in self.next_stages)
        self.fields["expected_stage"].initial = case.stage

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        if cleaned.get("to_stage") == Stage.ENDED and not cleaned.get("end_reason"):
            self.add_error("end_reason", _("Choose why the case ends."))
        if cleaned.get("to_stage") != Stage.ENDED:
            cleaned["end_reason"] = ""
        return cleaned


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return staff_name(obj)


class AssignForm(forms.Form):
    user = StaffChoiceField(label=_("Staff member"), queryset=User.objects.none())

    def __init__(self, *args, staff: QuerySet[User], **kwargs):
        super().__init__(*args, **kwargs)
        cast(StaffChoiceField, self.fields["user"]).queryset = staff


class DeadlineSettingsForm(forms.Form):
    """The organisation's own periods; empty means the law's (cases/deadlines.py). The law's
    minimums are checked by the service, which names them."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    renovation_notice_months = forms.IntegerField(
        label=_("Notice of works with temporary rehousing (months)"),
        required=False,
        min_value=1,
        max_value=24,
    )
    termination_notice_months = forms.IntegerField(
        label=_("Notice of termination (months)"), required=False, min_value=1, max_value=24
    )
    objection_weeks = forms.IntegerField(
        label=_("Objection period after a termination (weeks)"),
        required=False,
        min_value=1,
        max_value=26,
    )
