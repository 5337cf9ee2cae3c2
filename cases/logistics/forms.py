from typing import cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from cases.deadlines import offer_reply_due_on
from cases.economy.rent_forms import KronerField
from cases.logistics.models import (
    HousingNeed,
    Move,
    MoveKind,
    OfferChannel,
    OfferStatus,
    PoolFlat,
    PoolKind,
    RefusalReason,
)
from cases.logistics.selectors import PoolFilters
from cases.logistics.services import (
    HOUSING_NEED_FIELDS,
    MOVE_EDITABLE_FIELDS,
    POOL_FLAT_EDITABLE_FIELDS,
)
from core.once import OnceKeyField
from core.widgets import DateInput, TimeInput
from households.models import Flat, Organisation
from households.pickers import FlatPickField


class FlatChoiceField(FlatPickField):
    def label_from_instance(self, obj: Flat) -> str:
        return _("%(address)s, %(estate)s (%(rooms)s rooms, %(m2)s m²)") % {
            "address": obj.address,
            "estate": obj.stairwell.estate.name,
            "rooms": obj.rooms,
            "m2": obj.area_m2,
        }


class PoolFlatForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    project_rent = KronerField(
        label=capfirst(PoolFlat._meta.get_field("project_rent").verbose_name),
        help_text=PoolFlat._meta.get_field("project_rent").help_text,
        required=False,
    )
    organisation = forms.ModelChoiceField(
        label=_("Rehousing organisation"), queryset=Organisation.objects.none()
    )

    class Meta:
        model = PoolFlat
        fields = ["flat", *POOL_FLAT_EDITABLE_FIELDS]
        widgets = {"available_from": DateInput, "available_to": DateInput}
        field_classes = {"flat": FlatChoiceField}

    def __init__(
        self, *args, flats: QuerySet[Flat], organisations: QuerySet[Organisation], **kwargs
    ):
        super().__init__(*args, **kwargs)
        cast(FlatChoiceField, self.fields["flat"]).queryset = flats
        organisation = cast(forms.ModelChoiceField, self.fields["organisation"])
        organisation.queryset = organisations
        if len(organisations) == 1:
            organisation.initial = organisations[0]
            organisation.widget = forms.HiddenInput()
        if self.instance.pk:
            del self.fields["organisation"], self.fields["flat"]  # the page names its flat
            if not self.is_bound:
                self.initial["version"] = self.instance.version
        else:
            del self.fields["is_active"]

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        starts, ends = cleaned.get("available_from"), cleaned.get("available_to")
        if starts and ends and ends < starts:
            self.add_error("available_to", _("The flat must be available until after it is free."))
        return cleaned


class PoolFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Use"),
        choices=[
            ("", _("All")),
            (PoolKind.TEMPORARY, _("Temporary")),
            (PoolKind.PERMANENT, _("Permanent")),
        ],
        required=False,
    )
    area = forms.ChoiceField(label=_("Neighbourhood"), required=False)
    free = forms.BooleanField(label=_("Only flats nobody holds"), required=False)

    def __init__(self, *args, areas: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["area"]).choices = [("", _("All"))] + [
            (area, area) for area in areas
        ]

    def filters(self) -> PoolFilters:
        self.is_valid()
        data = self.cleaned_data
        return PoolFilters(
            kind=data.get("kind", ""), area=data.get("area", ""), free_only=data.get("free", False)
        )


class HousingNeedForm(forms.ModelForm):
    wished_areas = forms.MultipleChoiceField(
        label=_("Wished areas"), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = HousingNeed
        fields = list(HOUSING_NEED_FIELDS)

    def __init__(self, *args, areas: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(area, area) for area in areas]
        cast(forms.MultipleChoiceField, self.fields["wished_areas"]).choices = choices
        for name in ("school_area", "family_area"):
            self.fields[name] = forms.ChoiceField(
                label=self.fields[name].label,
                choices=[("", "—"), *choices],
                required=False,
            )


class OfferForm(forms.Form):
    once_key = OnceKeyField()
    pool_flat = forms.IntegerField(widget=forms.HiddenInput)
    sent_via = forms.ChoiceField(
        label=_("Sent via"), choices=OfferChannel.choices, initial=OfferChannel.LETTER
    )
    reply_due_on = forms.DateField(label=_("Reply due"), widget=DateInput, required=False)
    other_municipality_agreed = forms.BooleanField(
        label=_("The household has agreed to a temporary flat in another municipality"),
        required=False,
    )

    def __init__(self, *args, reply_days: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reply_due_on"].initial = offer_reply_due_on(
            sent_on=timezone.localdate(), reply_days=reply_days
        )


class OfferReplyForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Answer"),
        choices=[
            (OfferStatus.ACCEPTED, _("Accepted")),
            (OfferStatus.REFUSED, _("Refused")),
            (OfferStatus.NO_REPLY, _("No reply by the deadline")),
            (OfferStatus.WITHDRAWN, _("Withdraw the offer")),
        ],
        widget=forms.RadioSelect,
    )
    refusal_reason = forms.ChoiceField(
        label=_("Reason for refusal"), choices=[("", "—"), *RefusalReason.choices], required=False
    )
    replied_on = forms.DateField(label=_("Answered on"), widget=DateInput, required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        if cleaned.get("status") == OfferStatus.REFUSED and not cleaned.get("refusal_reason"):
            self.add_error("refusal_reason", _("Choose why the household said no."))
        return cleaned


class MoveForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    done = forms.BooleanField(label=_("The move has happened"), required=False)

    class Meta:
        model = Move
        fields = list(MOVE_EDITABLE_FIELDS)
        widgets = {"moves_on": DateInput, "starts_at": TimeInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version


class MovePlanForm(MoveForm):
    kind = forms.ChoiceField(label=_("Move"), choices=MoveKind.choices)

    class Meta(MoveForm.Meta):
        fields = ["moves_on", "starts_at", "movers", "movers_booked", "paid_by_project", "note"]

    def __init__(self, *args, kinds: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["done"]
        del self.fields["version"]
        cast(forms.ChoiceField, self.fields["kind"]).choices = [
            (kind, MoveKind(kind).label) for kind in kinds
        ]
        self.order_fields(["kind"])


class RequiredOffersForm(forms.Form):
    required_offers = forms.IntegerField(
        label=_("Suitable offers to make"), min_value=0, max_value=10
    )
