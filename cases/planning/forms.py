from django import forms
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from cases.models import Project, schedule_date_label
from cases.planning.services import PROJECT_EDITABLE_FIELDS, check_schedule_row, schedule_fields
from core.once import OnceKeyField
from core.widgets import DateInput
from households.models import Estate, Stairwell
from households.templatetags.people import staff_name


class StairwellChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Stairwell) -> str:
        return f"{obj.estate.name}: {obj}" if self.with_estate else str(obj)

    with_estate = True


class ProjectForm(forms.ModelForm):
    """A new project (with its estate) or an existing one (the estate stays)."""

    estate = forms.ModelChoiceField(
        label=_("Estate"),
        queryset=Estate.objects.none(),
        error_messages={"invalid_choice": _("You cannot start a project in that estate.")},
    )
    all_stairwells = forms.BooleanField(
        label=_("Every stairwell of the estate"),
        required=False,
        help_text=_("Or choose the affected stairwells below."),
    )
    stairwells = StairwellChoiceField(
        label=_("Affected stairwells"),
        queryset=Stairwell.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _(
                "A chosen stairwell is not in the chosen estate, or you cannot use it: "
                "choose among the estate's stairwells shown."
            ),
            "invalid_pk_value": _("Choose among the estate's stairwells shown."),
        },
    )
    # A TextField has no length of its own: the form sets one, with Django's Danish message.
    description = forms.CharField(
        label=capfirst(Project._meta.get_field("description").verbose_name),
        required=False,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    once_key = OnceKeyField()

    class Meta:
        model = Project
        fields = list(PROJECT_EDITABLE_FIELDS)
        widgets = {
            "starts_on": DateInput,
            "ends_on": DateInput,
        }

    field_order = ["estate", *PROJECT_EDITABLE_FIELDS[:4], "all_stairwells", "stairwells"]

    def __init__(
        self,
        *args,
        estates: QuerySet[Estate] | None,
        estate: Estate | None = None,
        **kwargs,
    ):
        """A new project: `estates` she may choose, `estate` the chosen one (its stairwells
        alone are offered, and a posted stairwell must be one of them). An existing project:
        its estate's stairwells."""
        super().__init__(*args, **kwargs)
        self.fields["number"].required = True
        self.fields["kind"].choices = self.fields["kind"].choices[1:]  # type: ignore[attr-defined]
        stairwells = self.fields["stairwells"]
        assert isinstance(stairwells, StairwellChoiceField)
        stairwells.with_estate = False
        if self.instance.pk:
            del self.fields["estate"]
            del self.fields["once_key"]
            estate = self.instance.estate
            if not self.is_bound:
                self.initial["version"] = self.instance.version
                self.initial["stairwells"] = list(self.instance.stairwells.all())
        else:
            estate_field = self.fields["estate"]
            assert isinstance(estate_field, forms.ModelChoiceField)
            assert estates is not None
            estate_field.queryset = estates
            if estate is not None:
                self.initial["estate"] = estate.pk
        # The chosen estate's stairwells only (none before an estate is chosen).
        self.stairwell_estate = estate
        stairwells.queryset = (
            estate.stairwells.all() if estate is not None else Stairwell.objects.none()
        )

    def stairwell_options(self) -> list[tuple[int, str, bool]]:
        """The chosen estate's stairwells as (key, address, ticked), read as plain values and
        written by the template as plain checkboxes: an estate of 300 stairwells renders in a
        fraction of the time of Django's widget rendering each of them with a template."""
        stairwells = self.fields["stairwells"]
        assert isinstance(stairwells, StairwellChoiceField)
        ticked = {str(getattr(value, "pk", value)) for value in self["stairwells"].value() or ()}
        queryset = stairwells.queryset
        assert queryset is not None
        return [
            (pk, f"{street} {number}{letter}", str(pk) in ticked)
            for pk, street, number, letter in queryset.order_by(
                "street", "number", "letter"
            ).values_list("pk", "street", "number", "letter")
        ]

    def chosen_estate(self) -> Estate | None:
        return self.instance.estate if self.instance.pk else self.cleaned_data.get("estate")

    def clean(self):
        cleaned = super().clean() or {}
        estate = self.chosen_estate()
        if estate is not None and estate != self.stairwell_estate:
            # The stairwells offered were another estate's: none of them is kept.
            cleaned["stairwells"] = []
        if estate is not None and cleaned.get("all_stairwells"):
            cleaned["stairwells"] = list(estate.stairwells.all())
        if self.instance.pk and cleaned.get("version") is None:
            raise forms.ValidationError(_("The form is out of date; open it again."))
        return cleaned


class ScheduleForm(forms.Form):
    """The schedule as one table: a row per affected stairwell, a date field per column,
    named `<stairwell id>-<field>` (unknown names are ignored, so no other stairwell gets in)."""

    reason = forms.CharField(
        label=_("Why the dates change"),
        max_length=300,
        required=False,
        help_text=_("Shown in the schedule's history on the project page."),
    )

    def __init__(self, *args, project: Project, stairwells: list[Stairwell], current, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.columns = schedule_fields(project)
        self.rows = []
        for stairwell in stairwells:
            cells = []
            for name in self.columns:
                key = f"{stairwell.pk}-{name}"
                self.fields[key] = forms.DateField(
                    label=f"{stairwell} – {schedule_date_label(name)}",
                    required=False,
                    widget=DateInput,
                    error_messages={"invalid": _("Write a date (dd-mm-åååå).")},
                )
                if not self.is_bound:
                    self.initial[key] = current.get(stairwell.pk, {}).get(name)
                cells.append(key)
            self.rows.append((stairwell, cells))

    @classmethod
    def data_from(cls, dates: dict[int, dict], reason: str = "") -> dict[str, str]:
        """POST data for these dates (the upload's rows go through the same form)."""
        data = {"reason": reason}
        for stairwell_id, values in dates.items():
            for name, value in values.items():
                data[f"{stairwell_id}-{name}"] = value.isoformat() if value else ""
        return data

    def clean(self):
        cleaned = super().clean() or {}
        for stairwell, keys in self.rows:
            dates = {key.split("-", 1)[1]: cleaned.get(key) for key in keys if key in cleaned}
            for name, message in check_schedule_row(dates):
                self.add_error(f"{stairwell.pk}-{name}", message)
        return cleaned

    def proposed(self) -> dict[int, dict]:
        """The dates per stairwell id, for the services."""
        return {
            stairwell.pk: {key.split("-", 1)[1]: self.cleaned_data.get(key) for key in keys}
            for stairwell, keys in self.rows
        }

    def bound_rows(self):
        return [(stairwell, [self[key] for key in keys]) for stairwell, keys in self.rows]


class ScheduleUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Schedule (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a CSV or an XLSX file."))
        if upload.size > 2 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        return upload


class DistributeForm(forms.Form):
    """A person per stairwell (or none): `s-<stairwell id>` names the caseworker's id."""

    def __init__(self, *args, loads, caseworkers, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {user.pk: user for user in caseworkers}
        choices = [("", "—"), *((user.pk, staff_name(user)) for user in caseworkers)]
        self.rows = []
        for load in loads:
            key = f"s-{load.stairwell.pk}"
            self.fields[key] = forms.TypedChoiceField(
                label=str(load.stairwell), choices=choices, coerce=int, required=False,
                empty_value=None,
            )  # fmt: skip
            self.rows.append((load, key))

    def plan(self) -> dict[int, User]:
        return {
            load.stairwell.pk: self.people[self.cleaned_data[key]]
            for load, key in self.rows
            if self.cleaned_data.get(key)
        }

    def bound_rows(self):
        return [(load, self[key]) for load, key in self.rows]
