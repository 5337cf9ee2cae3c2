"""Forms of the outreach pages. Each part keeps its forms in its own section below."""

from datetime import date, datetime
from typing import cast

from django import forms
from django.db.models import Field, QuerySet
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from cases.models import Project
from core.once import OnceKeyField
from core.widgets import DateInput, DateTimeInput, ListSelect, TimeInput
from households.models import Estate, Flat, Stairwell
from households.pickers import FlatPickField
from outreach.models import (
    Channel,
    FlagKind,
    FlagThresholds,
    HelpTopic,
    HomeObservation,
    InvitationChannel,
    Outcome,
    TipSource,
)
from outreach.selectors import FlagFilters
from outreach.services import CLOCK_SLACK

# --- contacts and door-knock rounds ---


# What a talk at the door can end with (the one-tap outcomes have their own buttons).
TALK_OUTCOMES = (
    Outcome.TALKED_AT_DOOR,
    Outcome.VISIT_INSIDE,
    Outcome.APPOINTMENT,
    Outcome.REFUSED,
    Outcome.INTERPRETER_NEEDED,
    Outcome.WRONG_PERSON,
    Outcome.SAFETY_CONCERN,
)
QUICK_OUTCOMES = (Outcome.NO_ANSWER, Outcome.NOTE_LEFT)


class ContactForm(forms.Form):
    """Record one contact. Observations about the home only for those who may see them."""

    once_key = OnceKeyField()
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, widget=ListSelect)
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[c for c in Outcome.choices if c[0] != Outcome.SENT],
        widget=ListSelect,
    )
    occurred_at = forms.DateTimeField(label=_("When"), widget=DateTimeInput)
    met = forms.CharField(
        label=_("Who was met"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    observations = forms.MultipleChoiceField(
        label=_("Observations about the home"),
        choices=HomeObservation.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    observation_note = forms.CharField(
        label=_("About the home"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    next_step = forms.CharField(label=_("Next step"), required=False, max_length=200)
    next_step_on = forms.DateField(label=_("Next step date"), required=False, widget=DateInput)

    def __init__(self, *args, can_observe: bool, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        if not can_observe:
            del self.fields["observations"], self.fields["observation_note"]
        if "occurred_at" in self.fields and not self.is_bound:
            self.initial.setdefault("occurred_at", timezone.localtime().replace(second=0))
            self.initial.setdefault("channel", Channel.DOOR_KNOCK)

    def clean_occurred_at(self) -> datetime:
        occurred_at = self.cleaned_data["occurred_at"]
        if occurred_at > timezone.now() + CLOCK_SLACK:
            raise forms.ValidationError(_("A contact cannot be in the future."))
        return occurred_at

    def clean_next_step_on(self) -> date | None:
        day = self.cleaned_data.get("next_step_on")
        if day and day < timezone.localdate():
            raise forms.ValidationError(_("The next step cannot be in the past."))
        return day

    def contact_fields(self) -> dict:
        """The cleaned data as keyword arguments of contact_record."""
        return {name: value for name, value in self.cleaned_data.items() if value is not None}


class TalkForm(ContactForm):
    """The short form of a talk at the door during a round: now, by door knock."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["channel"], self.fields["occurred_at"]
        outcome = self.fields["outcome"]
        assert isinstance(outcome, forms.ChoiceField)
        outcome.choices = [(value, Outcome(value).label) for value in TALK_OUTCOMES]
        outcome.widget = forms.RadioSelect(choices=outcome.choices)
        outcome.initial = Outcome.TALKED_AT_DOOR


class QuickKnockForm(forms.Form):
    once_key = OnceKeyField()
    outcome = forms.ChoiceField(choices=[(value, value) for value in QUICK_OUTCOMES])


# --- flags ---


class FlagFilterForm(forms.Form):
    scope = forms.ChoiceField(
        label=_("Show"),
        choices=[
            ("mine", _("Mine")),
            ("estates", _("My estates")),
            ("all", _("All I can see")),
        ],
        required=False,
        widget=forms.RadioSelect,
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("All")), *FlagKind.choices],
        required=False,
        widget=ListSelect,
    )
    project = forms.TypedChoiceField(
        label=_("Project"), coerce=int, required=False, empty_value=None, widget=ListSelect
    )
    status = forms.ChoiceField(
        choices=[("open", _("Open flags")), ("resolved", _("Resolved flags"))],
        required=False,
        widget=ListSelect,
    )

    def __init__(self, *args, projects, **kwargs):
        super().__init__(*args, **kwargs)
        project = self.fields["project"]
        assert isinstance(project, forms.TypedChoiceField)
        project.choices = [("", _("All")), *[(p.pk, p.name) for p in projects]]

    def filters(self, *, default_scope: str) -> FlagFilters:
        """The chosen filters; anything invalid falls back to its default."""
        self.is_valid()
        data = self.cleaned_data
        return FlagFilters(
            scope=data.get("scope") or default_scope,
            kind=data.get("kind", ""),
            project=data.get("project"),
            resolved=data.get("status") == "resolved",
        )


class FlagResolveForm(forms.Form):
    resolution = forms.CharField(
        label=_("How was it resolved?"),
        max_length=300,
        error_messages={"required": _("Write in a few words how the flag was resolved.")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


# --- flag scans and thresholds ---


def _threshold_field(name: str, maximum: int) -> forms.IntegerField:
    model_field = cast(Field, FlagThresholds._meta.get_field(name))
    return forms.IntegerField(
        label=capfirst(model_field.verbose_name),
        help_text=model_field.help_text,
        min_value=1,
        max_value=maximum,
        error_messages={
            "required": _("Write a number."),
            "invalid": _("Write a whole number."),
            "min_value": _("Write a number of at least 1."),
            "max_value": _("Write a number of at most %(limit_value)s."),
        },
    )


class ThresholdsForm(forms.Form):
    """A project's thresholds for the flag scan (DEFAULT_THRESHOLDS without its own)."""

    missed_meetings = _threshold_field("missed_meetings", 20)
    no_contact_days = _threshold_field("no_contact_days", 365)
    deadline_window_days = _threshold_field("deadline_window_days", 365)
    packing_window_days = _threshold_field("packing_window_days", 365)
    follow_up_days = _threshold_field("follow_up_days", 365)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


# --- information meetings ---


class StairwellsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Stairwell) -> str:
        return str(obj)


class MeetingInviteForm(forms.Form):
    """Stairwells to invite, and how and when the invitations went out."""

    stairwells = StairwellsField(
        label=_("Stairwells to invite"),
        queryset=Stairwell.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one stairwell.")},
    )
    sent_via = forms.ChoiceField(
        label=_("Invitations sent via"),
        choices=[("", "—"), *InvitationChannel.choices],
        required=False,
    )
    sent_on = forms.DateField(label=_("Invitations sent on"), required=False, widget=DateInput)

    def __init__(self, *args, stairwells: QuerySet[Stairwell], **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["stairwells"]
        assert isinstance(field, StairwellsField)
        field.queryset = stairwells


class MeetingForm(MeetingInviteForm):
    once_key = OnceKeyField()
    project = forms.ModelChoiceField(label=_("Project"), queryset=Project.objects.none())
    held_on = forms.DateField(label=_("Date"), widget=DateInput)
    held_time = forms.TimeField(label=_("Time"), widget=TimeInput)
    place = forms.CharField(label=_("Place"), max_length=200)
    topic = forms.CharField(label=_("Topic"), max_length=200)

    field_order = ["project", "topic", "held_on", "held_time", "place", "stairwells"]

    def __init__(self, *args, projects: QuerySet[Project], project: Project | None, **kwargs):
        stairwells = project.estate.stairwells.all() if project else Stairwell.objects.none()
        super().__init__(*args, stairwells=stairwells, **kwargs)
        field = self.fields["project"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = projects
        field.empty_label = _("Choose the project")
        # A meeting may be planned before anyone is invited; stairwells can be added later.
        self.fields["stairwells"].required = False
        if project is not None:
            self.initial.setdefault("project", project.pk)

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        held_on, held_time = cleaned.get("held_on"), cleaned.get("held_time")
        if held_on and held_time:
            cleaned["held_at"] = timezone.make_aware(datetime.combine(held_on, held_time))
        sent_on = cleaned.get("sent_on")
        if held_on and sent_on and sent_on > held_on:
            self.add_error("sent_on", _("The invitations cannot be sent after the meeting."))
        return cleaned


class AttendanceForm(forms.Form):
    once_key = OnceKeyField()
    household = forms.IntegerField(min_value=1)
    attended = forms.BooleanField(required=False)
    page = forms.IntegerField(min_value=1, required=False)  # of the list at the door, kept


# --- drop-in café ---


class DropInSessionForm(forms.Form):
    once_key = OnceKeyField()
    estate = forms.ModelChoiceField(label=_("Estate"), queryset=Estate.objects.none())
    name = forms.CharField(label=_("Name"), max_length=100, initial="Kaffen er Klar")
    held_on = forms.DateField(label=_("Date"), widget=DateInput)
    place = forms.CharField(label=_("Place"), max_length=200)

    def __init__(self, *args, estates: QuerySet[Estate], **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["estate"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = estates
        field.empty_label = _("Choose the estate")
        if not self.is_bound:
            self.initial.setdefault("held_on", timezone.localdate())


class DropInVisitForm(forms.Form):
    once_key = OnceKeyField()
    household = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    help_topics = forms.MultipleChoiceField(
        label=_("Needed help with"),
        choices=HelpTopic.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("Short note"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# --- tips ---


class TipForm(forms.Form):
    """A tip about a flat. The flats are offered by address only (households/pickers.py)."""

    once_key = OnceKeyField()
    flat = FlatPickField(label=_("Flat"))
    source = forms.ChoiceField(
        label=_("Who is the tip from?"), choices=TipSource.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("The tip"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "What can help us reach the household, e.g. “never opens the door; shops Tuesday "
            "mornings”."
        ),
    )

    def __init__(self, *args, flats: QuerySet[Flat], **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        cast(FlatPickField, self.fields["flat"]).queryset = flats


# --- letters awaiting reply ---


class AwaitedReplyForm(forms.Form):
    once_key = OnceKeyField()
    subject = forms.CharField(
        label=_("About"),
        max_length=200,
        help_text=_("E.g. “Form about the temporary flat”."),
    )
    sent_via = forms.ChoiceField(
        label=_("Sent via"), choices=InvitationChannel.choices, initial=InvitationChannel.LETTER
    )
    sent_on = forms.DateField(label=_("Sent on"), widget=DateInput)
    due_on = forms.DateField(label=_("Reply due"), widget=DateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("sent_on", timezone.localdate())

    def clean_sent_on(self) -> date:
        sent_on = self.cleaned_data["sent_on"]
        if sent_on > timezone.localdate():
            raise forms.ValidationError(_("Register the letter when it has been sent."))
        return sent_on


class ReplyForm(forms.Form):
    replied_on = forms.DateField(label=_("Reply received on"), widget=DateInput)
    note = forms.CharField(label=_("Short note"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("replied_on", timezone.localdate())


class LetterFilterForm(forms.Form):
    project = forms.TypedChoiceField(
        label=_("Project"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, projects, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["project"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("All projects")), *[(p.pk, p.name) for p in projects]]

    def project_id(self) -> int | None:
        return self.cleaned_data.get("project") if self.is_valid() else None
