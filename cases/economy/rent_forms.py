from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from households.imports import parse_kroner
from households.models import Flat
from households.services import FLAT_RENT_FIELDS


class KronerField(forms.CharField):
    """Kroner a month as Danes write them: 5.123,50 or 5123,50 or 5123 kr."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
        )
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value)
        try:
            return parse_kroner(text)
        except ValueError:
            raise forms.ValidationError(
                _("'%(value)s' is not an amount in kroner: write it like 5123,50."),
                code="invalid",
                params={"value": text[:20]},
            ) from None

    def prepare_value(self, value):
        if value is None or isinstance(value, str):
            return value
        return f"{value:.2f}".replace(".", ",")


class FlatRentForm(forms.ModelForm):
    """A flat's rent by hand, versioned."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    net_rent = KronerField(
        label=capfirst(Flat._meta.get_field("net_rent").verbose_name),
        help_text=Flat._meta.get_field("net_rent").help_text,
        required=False,
    )
    aconto = KronerField(
        label=capfirst(Flat._meta.get_field("aconto").verbose_name), required=False
    )

    class Meta:
        model = Flat
        fields = list(FLAT_RENT_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["version"] = self.instance.version


class QuarterForm(forms.Form):
    """The quarter of the statement for the financing claim."""

    aar = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    kvartal = forms.TypedChoiceField(
        label=_("Quarter"),
        coerce=int,
        choices=[
            (1, _("1st quarter")),
            (2, _("2nd quarter")),
            (3, _("3rd quarter")),
            (4, _("4th quarter")),
        ],
    )
